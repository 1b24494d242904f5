/**
 * Content-addressed cache keys for sub-model calls.
 *
 * @module
 */

/** Everything that changes a sub-model's answer; two calls with equal parts share a cache entry. */
export interface CacheKeyParts {
  /** Full model id as resolved (e.g. `openrouter:minimax/minimax-m2.5`). */
  model: string;
  /**
   * The endpoint the calls go to (a base URL), or undefined for the provider's default. An
   * answer from one endpoint is never served for another.
   */
  endpoint?: string;
  /** System prompt ("" when none). */
  system: string;
  prompt: string;
  maxTokens: number;
  /** Sampling temperature; undefined (provider default) is distinct from 0. */
  temperature?: number;
}

/** Bump when the meaning of cached values changes, so old entries stop matching. */
const KEY_VERSION = "deeprepo-subcall-v2";

/**
 * SHA-256 (Web Crypto) over the parts, as lowercase hex.
 *
 * The parts are serialized as a JSON array, so a separator inside one field can never be
 * mistaken for a boundary between fields (`"a|b" + "c"` and `"a" + "b|c"` differ).
 *
 * @param parts Model, system prompt, prompt and generation settings.
 * @returns A 64-character hex digest.
 *
 * @example
 * ```ts
 * import { cacheKey } from "./key.ts";
 * const key = await cacheKey({ model: "m", system: "", prompt: "hi", maxTokens: 100 });
 * import assert from "node:assert/strict";
 * assert.match(key, /^[0-9a-f]{64}$/);
 * ```
 */
export async function cacheKey(parts: CacheKeyParts): Promise<string> {
  const canonical = JSON.stringify([
    KEY_VERSION,
    parts.model,
    parts.endpoint ?? null,
    parts.system,
    parts.prompt,
    parts.maxTokens,
    parts.temperature ?? null,
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
