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
 * `o3`, ...) with or without an `openai/` vendor prefix (OpenRouter ids).
 *
 * @param provider The resolving plugin's name.
 * @param id The model id.
 * @returns The encoding name, or undefined for non-OpenAI models.
 */
export function openAiEncodingFor(
  provider: string,
  id: string,
): "o200k_base" | "cl100k_base" | undefined {
  let model = id.toLowerCase();
  if (model.startsWith("openai/")) model = model.slice("openai/".length);
  else if (provider !== "openai") return undefined;
  if (/^(gpt-4o|gpt-4\.[1-9]|gpt-5|gpt-oss|chatgpt|o[1-9])/.test(model)) return "o200k_base";
  if (/^(gpt-4|gpt-3\.5)/.test(model)) return "cl100k_base";
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
