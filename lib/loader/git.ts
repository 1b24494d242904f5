/**
 * Git sources: recognising a URL, naming the repository, and a shallow clone into a temporary
 * folder that never outlives a failure.
 *
 * @module
 */
import { EnvironmentError, InterruptedError, RunError } from "../errors.ts";
import { redactUrl } from "../redact.ts";

const GIT_URL = /^(?:https?:\/\/|ssh:\/\/|git:\/\/|file:\/\/|git@[^:\s]+:)/i;

/**
 * True when `source` is a git URL rather than a local path: `https://`, `http://`, `ssh://`,
 * `git://`, `file://` or scp-like `git@host:owner/repo`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isGitUrl("https://github.com/denoland/std"), true);
 * assert.equal(isGitUrl("./my-project"), false);
 * ```
 */
export function isGitUrl(source: string): boolean {
  return GIT_URL.test(source.trim());
}

/**
 * The repository name in a git URL: its last path segment without `.git`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(repoNameFromUrl("git@github.com:Leonwenhao/deeprepo.git"), "deeprepo");
 * ```
 */
export function repoNameFromUrl(url: string): string {
  let path = redactUrl(url.trim()).replace(/[?#].*$/, "");
  path = path.replace(/\/+$/, "").replace(/\.git$/i, "").replace(/\/+$/, "");
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf(":"));
  return path.slice(cut + 1) || "repo";
}

export { redactUrl } from "../redact.ts";

/**
 * Temporary clones that exist right now. If the process exits before they are disposed of (a
 * second Ctrl-C calls `Deno.exit` at once), the `unload` listener removes them synchronously;
 * SIGTERM and SIGHUP (a `kill`, a closed terminal), which end a process without `unload`, are
 * caught for the same purpose.
 */
const liveClones = new Set<string>();
let cleanupInstalled = false;

/** Removes every live clone, synchronously (on the way out of the process). */
function removeLiveClonesSync(): void {
  for (const clone of liveClones) {
    try {
      Deno.removeSync(clone, { recursive: true });
    } catch {
      // Already gone, or git is still writing into it: nothing more can be done on the way out.
    }
  }
  liveClones.clear();
}

/** Exit statuses a shell reports for a process ended by these signals (128 + number). */
const TERMINATING_SIGNALS = { SIGTERM: 143, SIGHUP: 129 } as const;

function trackClone(dir: string): void {
  liveClones.add(dir);
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  globalThis.addEventListener("unload", removeLiveClonesSync);
  for (const [signal, status] of Object.entries(TERMINATING_SIGNALS)) {
    try {
      // Listening replaces the default action (ending the process), so the listener ends it
      // itself, with the status the signal would have given: the one exit outside lib/cli.
      Deno.addSignalListener(signal as Deno.Signal, () => {
        removeLiveClonesSync();
        Deno.exit(status);
      });
    } catch {
      // Windows knows neither signal; its console close is not catchable here.
    }
  }
}

/** Options of {@linkcode cloneRepository}. */
export interface CloneOptions {
  signal?: AbortSignal;
  /** The `git` program. @default {"git"} */
  git?: string;
  /** Folder to create the clone in. @default {the system's temporary folder} */
  tempRoot?: string;
}

/**
 * Clones `url` (`git clone --depth 1 --quiet`) into a new temporary folder and returns its path.
 * The folder is removed when the clone fails or is interrupted; on success the caller removes it.
 * Git never prompts: stdin is closed and `GIT_TERMINAL_PROMPT=0`.
 *
 * @throws {RunError} `could not clone <url>: <reason>`, the reason being git's first `fatal:`
 *   line (its last line is often boilerplate such as "and the repository exists.").
 * @throws {EnvironmentError} when git is not installed.
 * @throws {InterruptedError} when `signal` is aborted.
 */
export async function cloneRepository(url: string, options: CloneOptions = {}): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_clone_", dir: options.tempRoot });
  trackClone(dir);
  try {
    const command = new Deno.Command(options.git ?? "git", {
      args: ["clone", "--depth", "1", "--quiet", "--", url, dir],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env: { GIT_TERMINAL_PROMPT: "0" },
      signal: options.signal,
    });
    let result: Deno.CommandOutput;
    try {
      result = await command.output();
    } catch (error) {
      if (options.signal?.aborted) throw new InterruptedError();
      if (error instanceof Deno.errors.NotFound) {
        throw new EnvironmentError("git is not installed (needed to clone a git URL)");
      }
      throw error;
    }
    if (options.signal?.aborted) throw new InterruptedError();
    if (!result.success) {
      throw new RunError(`could not clone ${redactUrl(url)}: ${gitReason(result)}`);
    }
    return dir;
  } catch (error) {
    await removeFolder(dir);
    throw error;
  }
}

/** The one line of git's error output that says what went wrong. */
function gitReason(result: Deno.CommandOutput): string {
  const lines = new TextDecoder().decode(result.stderr).split("\n")
    .map((line) => line.trim()).filter(Boolean);
  const fatal = lines.find((line) => /^(fatal|error):/i.test(line));
  const reason = fatal?.replace(/^(fatal|error):\s*/i, "") ?? lines.at(-1);
  return reason ? redactUrl(reason) : `git exited with status ${result.code}`;
}

/** Removes a folder and everything in it; a folder already gone is fine. */
export async function removeFolder(dir: string): Promise<void> {
  try {
    await Deno.remove(dir, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  liveClones.delete(dir);
}
