/**
 * Redacting credentials in URLs before deeprepo prints or writes them.
 *
 * @module
 */

/**
 * A URL safe to print: `https://user:token@host/x` becomes `https://***@host/x`, in any text
 * (each URL in it). The user part runs to the last `@` before the host, as URL parsers read it,
 * so a password containing `@` is hidden whole.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactUrl } from "./redact.ts";
 * assert.equal(redactUrl("https://me:ghp_secret@github.com/o/r"), "https://***@github.com/o/r");
 * assert.equal(redactUrl("https://u:p@ss@host/x"), "https://***@host/x");
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s'"]*@/gi, "$1***@");
}
