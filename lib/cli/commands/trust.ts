/**
 * `deeprepo trust [FILE...] [--list | --revoke]`: approve the exact content of a folder's `.env`
 * or `deeprepo.json` (as direnv's `allow` does), list what is trusted, or revoke it. Until a file
 * is trusted deeprepo does not use it; when its content changes it is untrusted again. The
 * store is `trusted.json` in deeprepo's user config folder (see `lib/config/trust.ts`).
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import type { TrustOptions } from "../options.ts";
import { printable } from "../folder_notices.ts";
import { EnvironmentError, UsageError } from "../../errors.ts";
import { readRegularFile } from "../../config/regular_file.ts";
import { describeDotenv, FOLDER_FILES } from "../../config/settings.ts";
import {
  readTrustStore,
  trustDigest,
  type TrustEntries,
  trustKey,
  trustStorePath,
  writeTrustStore,
} from "../../config/trust.ts";

/**
 * Runs `deeprepo trust`.
 *
 * @returns Exit status 0.
 * @throws {UsageError} For a file that is not `.env` or `deeprepo.json`, or `--list` with files.
 * @throws {EnvironmentError} For a missing or non-regular file, or no place for the store.
 */
export async function run(options: TrustOptions, ctx: CliContext): Promise<number> {
  const store = trustStorePath(ctx.env);
  if (!store) {
    throw new EnvironmentError(
      "cannot find deeprepo's config folder for the trust store: set HOME or XDG_CONFIG_HOME",
    );
  }
  const loaded = readTrustStore(store);
  if (loaded.problem) ctx.stderr(`deeprepo: warning: ${printable(loaded.problem)}\n`);
  if (options.list) {
    if (options.files.length > 0) throw new UsageError("trust: --list takes no files");
    for (const line of await listLines(loaded.entries)) ctx.stdout(line);
    return 0;
  }
  const files = options.files.length > 0 ? options.files : presentFolderFiles(ctx.cwd);
  if (files.length === 0) {
    throw new EnvironmentError(
      `nothing to trust: no ${FOLDER_FILES.join(" or ")} in ${printable(ctx.cwd)}`,
    );
  }
  for (const file of files) checkName(file);
  const entries: TrustEntries = { ...loaded.entries };
  const lines: string[] = [];
  for (const file of files) {
    const key = trustKey(file);
    if (options.revoke) {
      lines.push(
        key in entries
          ? `Revoked ${printable(file)}: deeprepo no longer uses it`
          : `${printable(file)} was not trusted`,
      );
      delete entries[key];
      continue;
    }
    const bytes = readForTrust(file);
    const sha256 = await trustDigest(file, bytes);
    entries[key] = { sha256, trustedAt: new Date().toISOString() };
    lines.push(...trustedLines(file, sha256, new TextDecoder().decode(bytes)));
  }
  await writeTrustStore(store, entries);
  for (const line of lines) ctx.stdout(line);
  return 0;
}

/** The per-folder files that exist in `cwd` (links and FIFOs included: trusting them fails). */
function presentFolderFiles(cwd: string): string[] {
  return FOLDER_FILES.map((name) => `${cwd.replace(/[\\/]+$/, "")}/${name}`).filter((path) => {
    try {
      Deno.lstatSync(path);
      return true;
    } catch {
      return false;
    }
  });
}

function checkName(file: string): void {
  const name = file.slice(file.lastIndexOf("/") + 1);
  if (!(FOLDER_FILES as readonly string[]).includes(name)) {
    throw new UsageError(
      `trust: ${printable(file)} is not a per-folder config file; deeprepo reads only ` +
        `${FOLDER_FILES.join(" and ")} from the folder it runs in`,
    );
  }
}

function readForTrust(file: string): Uint8Array {
  const read = readRegularFile(file);
  if (read.kind === "missing") throw new EnvironmentError(`no such file: ${printable(file)}`);
  if (read.kind === "refused") {
    throw new EnvironmentError(
      `cannot trust ${printable(file)}: it is ${read.reason}; only a regular file can be trusted`,
    );
  }
  return read.bytes;
}

/** What was trusted and what it will change, so the user sees what they approved. */
function trustedLines(file: string, sha256: string, text: string): string[] {
  const lines = [`Trusted ${printable(file)} (sha256 ${sha256.slice(0, 16)}…)`];
  if (file.endsWith("/.env")) {
    const { names, steering, environmentOnly } = describeDotenv(text);
    lines.push(`  sets: ${names.join(", ") || "nothing"}`);
    if (steering.length) {
      lines.push(`  chooses endpoints, plugins or the cache: ${steering.join(", ")}`);
    }
    if (environmentOnly.length) {
      lines.push(`  never taken from a .env (ignored): ${environmentOnly.join(", ")}`);
    }
  } else {
    let plugins: unknown;
    try {
      plugins = JSON.parse(text)?.plugins;
    } catch {
      lines.push("  warning: not valid JSON; deeprepo will report it on every run");
    }
    if (Array.isArray(plugins) && plugins.length) {
      lines.push(
        `  plugins (run with deeprepo's permissions): ${
          plugins.map((p) => printable(JSON.stringify(p))).join(", ")
        }`,
      );
    }
  }
  return lines;
}

/** `--list`: every trusted file and whether it still matches. */
async function listLines(entries: TrustEntries): Promise<string[]> {
  const paths = Object.keys(entries).sort();
  if (paths.length === 0) return ["No trusted files."];
  const lines: string[] = [];
  for (const path of paths) {
    const read = readRegularFile(path);
    let status = "trusted";
    if (read.kind === "missing") status = "missing";
    else if (read.kind === "refused") status = "refused";
    else if (await trustDigest(path, read.bytes) !== entries[path].sha256) status = "changed";
    lines.push(
      `${status.padEnd(8)} ${printable(path)}  (${entries[path].trustedAt.slice(0, 10)})`,
    );
  }
  return lines;
}
