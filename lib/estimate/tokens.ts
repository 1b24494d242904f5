/**
 * Token counting for estimates: a real BPE tokenizer where one matches the model (OpenAI
 * families, via gpt-tokenizer), the loader's documented characters-per-token ratio otherwise.
 *
 * @module
 */
import { estimateTokens } from "../loader/mod.ts";

/** Counts tokens of text for one model. */
export interface TokenCounter {
  /** `o200k_base`, `cl100k_base`, or `chars/token ratio` for the approximation. */
  name: string;
  /** True when counts come from the model family's own tokenizer. */
  exact: boolean;
  count(text: string): number;
}

/** The approximation used when no tokenizer fits: the loader's ratio. */
export const approximateCounter: TokenCounter = {
  name: "chars/token ratio",
  exact: false,
  count: (text) => estimateTokens(text.length),
};

/**
 * Which OpenAI encoding fits a model, if any. Recognises OpenAI's own ids (`gpt-4o`, `gpt-5`,
 * `gpt-6.1-sol`, `o3`, ...) served by the `openai` plugin or with an `openai/` vendor prefix
 * (OpenRouter ids), and OpenAI's open-weight `gpt-oss` family wherever it is served (Ollama,
 * OpenRouter). Old `gpt-4` and `gpt-3.5` ids use `cl100k_base`; every later family uses
 * `o200k_base`, which is also what gpt-tokenizer assumes for models newer than itself. Ids the
 * `openai` plugin serves from a compatible endpoint that are not OpenAI models (`llama-3`, ...)
 * get no encoding.
 *
 * @param provider The resolving plugin's name.
 * @param id The model id.
 * @returns The encoding name, or undefined for non-OpenAI models.
 *
 * @example
 * ```ts
 * import { openAiEncodingFor } from "./tokens.ts";
 * import assert from "node:assert/strict";
 * assert.equal(openAiEncodingFor("openai", "gpt-6.1-sol"), "o200k_base");
 * assert.equal(openAiEncodingFor("openrouter", "minimax/minimax-m2.5"), undefined);
 * ```
 */
export function openAiEncodingFor(
  provider: string,
  id: string,
): "o200k_base" | "cl100k_base" | undefined {
  let model = id.toLowerCase();
  const vendored = model.startsWith("openai/");
  if (vendored) model = model.slice("openai/".length);
  if (model.startsWith("gpt-oss")) return "o200k_base";
  if (!vendored && provider !== "openai") return undefined;
  if (/^(gpt-4(?![o.])|gpt-3\.5)/.test(model)) return "cl100k_base";
  if (/^(gpt-|chatgpt|codex|o[1-9])/.test(model)) return "o200k_base";
  return undefined;
}

// Encoders are loaded on demand: their rank tables are large and most runs never need them.
const _loaded = new Map<string, Promise<TokenCounter>>();

/**
 * The best counter for a model: its own tokenizer for OpenAI families, else the approximation.
 *
 * @param model Provider and id of a resolved model.
 * @returns A counter; never throws (falls back to the approximation if loading fails).
 */
export function tokenCounterFor(model: { provider: string; id: string }): Promise<TokenCounter> {
  const encoding = openAiEncodingFor(model.provider, model.id);
  if (!encoding) return Promise.resolve(approximateCounter);
  let counter = _loaded.get(encoding);
  if (!counter) {
    counter = _loadEncoding(encoding);
    _loaded.set(encoding, counter);
  }
  return counter;
}

async function _loadEncoding(encoding: "o200k_base" | "cl100k_base"): Promise<TokenCounter> {
  try {
    const mod = encoding === "o200k_base"
      ? await import("npm:gpt-tokenizer@4.0.0/encoding/o200k_base")
      : await import("npm:gpt-tokenizer@4.0.0/encoding/cl100k_base");
    // Special-token text inside source files is counted as ordinary text, never rejected.
    const options = { disallowedSpecial: new Set<string>() };
    return { name: encoding, exact: true, count: (text) => mod.countTokens(text, options) };
  } catch {
    return approximateCounter;
  }
}
