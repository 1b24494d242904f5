/**
 * Seals on analyze runs, so `status`, `context` and `analyze --since` build only on runs that
 * deeprepo itself wrote for this user: a repository cannot ship a forged earlier run in its own
 * `outputs/` folder. The seal is an HMAC-SHA-256, with a random key kept in the user's config
 * folder (0600), over the run's source, commit, file hashes and the SHA-256 of its report.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Fingerprint } from "./fingerprint.ts";

/** File name of the key in deeprepo's user config folder. */
export const RUN_KEY_FILE = "run_key";

/**
 * Reads the key from `dir`, creating it (0600, folder 0700) when `create` is set and it is
 * missing. A key file that is not a regular file, or is malformed, counts as no key.
 *
 * @returns The key, or undefined.
 */
export async function loadRunKey(dir: string, create: boolean): Promise<CryptoKey | undefined> {
  const path = `${dir}/${RUN_KEY_FILE}`;
  let hex: string | undefined;
  try {
    const info = await Deno.lstat(path);
    if (info.isFile && info.size === 65) hex = (await Deno.readTextFile(path)).trim();
    else return undefined;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound) || !create) return undefined;
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      await Deno.writeTextFile(path, `${hex}\n`, { createNew: true, mode: 0o600 });
    } catch {
      return await loadRunKey(dir, false); // another run made it first
    }
  }
  if (!hex || !/^[0-9a-f]{64}$/.test(hex)) return undefined;
  const raw = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  return await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

function sealInput(fp: Fingerprint, report: string): Uint8Array<ArrayBuffer> {
  const files = Object.keys(fp.files).sort().map((p) => [p, fp.files[p][0], fp.files[p][1]]);
  const reportHash = createHash("sha256").update(report).digest("hex");
  return new TextEncoder().encode(
    JSON.stringify({ v: 1, source: fp.source, commit: fp.git_commit, files, report: reportHash }),
  ) as Uint8Array<ArrayBuffer>;
}

/** The seal of a run: hex HMAC over its fingerprint and report text. */
export async function sealRun(key: CryptoKey, fp: Fingerprint, report: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, sealInput(fp, report)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** True when `seal` is this user's seal over the fingerprint and report. */
export async function verifyRun(
  key: CryptoKey,
  fp: Fingerprint,
  report: string,
  seal: unknown,
): Promise<boolean> {
  if (typeof seal !== "string" || !/^[0-9a-f]{64}$/.test(seal)) return false;
  const mac = new Uint8Array(seal.match(/../g)!.map((h) => parseInt(h, 16))) as Uint8Array<
    ArrayBuffer
  >;
  return await crypto.subtle.verify("HMAC", key, mac, sealInput(fp, report));
}
