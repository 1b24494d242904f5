/**
 * Preserved thinking, as the fake enforces it for Claude 5.5 models: every assistant turn the
 * fake produced must come back exactly as produced (thinking blocks included), and nothing
 * before a thinking block (system, tools, earlier messages) may change. A request that breaks
 * either gets Anthropic's 400 "The block is bound to a different conversation".
 *
 * Turns are recognised by their tool-use ids, or by their text when they made no tool call.
 * `cache_control` markers are not part of what is compared.
 *
 * @module
 */
import { anthropicError, type Refusal } from "./rules.ts";

type Block = Record<string, unknown>;

/** What the fake remembers of the assistant turns it produced. */
export class ThinkingLedger {
  /** Canonical content of each produced turn, by signature. */
  #bySignature = new Map<string, { prefix: string; content: string }>();
  /** Canonical content of each produced turn, by tool-use id and by text. */
  #byKey = new Map<string, string>();

  /**
   * The signature for a thinking block produced now, bound to the request's prefix.
   *
   * @param body The request the block answers.
   * @param id The reply id.
   */
  sign(body: Record<string, unknown>, id: string): string {
    return `sig_${id}_${hash(prefixOf(body, (body.messages as unknown[] ?? []).length))}`;
  }

  /** Remembers a produced turn (after its signatures were made). */
  remember(body: Record<string, unknown>, content: Block[]): void {
    const canonical = canonicalJson(content);
    const prefix = hash(prefixOf(body, (body.messages as unknown[] ?? []).length));
    for (const block of content) {
      if (typeof block.signature === "string") {
        this.#bySignature.set(block.signature, { prefix, content: canonical });
      }
    }
    for (const key of keysOf(content)) this.#byKey.set(key, canonical);
  }

  /**
   * Checks a request's history.
   *
   * @returns Anthropic's refusal when a produced turn was changed or a thinking block's prefix
   * differs, else undefined.
   */
  check(body: Record<string, unknown>): Refusal | undefined {
    const messages = Array.isArray(body.messages) ? body.messages as Block[] : [];
    for (const [i, message] of messages.entries()) {
      if (message.role !== "assistant") continue;
      const content = Array.isArray(message.content)
        ? message.content as Block[]
        : [{ type: "text", text: String(message.content ?? "") }];
      const produced = keysOf(content).map((k) => this.#byKey.get(k)).find(Boolean);
      if (produced && produced !== canonicalJson(content)) return bound(i, 0);
      for (const [j, block] of content.entries()) {
        if (block.type !== "thinking" && block.type !== "redacted_thinking") continue;
        const known = this.#bySignature.get(String(block.signature ?? block.data ?? ""));
        if (known && known.prefix !== hash(prefixOf(body, i))) return bound(i, j);
      }
    }
    return undefined;
  }
}

function bound(message: number, block: number): Refusal {
  return anthropicError(
    `messages.${message}.content.${block}: Invalid \`signature\` in \`thinking\` block. The ` +
      "block is bound to a different conversation. Remove the block, or set " +
      '`thinking.block_binding.prefix_mismatch_behavior` to "drop_block".',
  );
}

/** Tool-use ids of a turn, or its text when it has none. */
function keysOf(content: Block[]): string[] {
  const ids = content.flatMap((b) => b.type === "tool_use" ? [`tool:${b.id}`] : []);
  if (ids.length) return ids;
  const text = content.flatMap((b) => b.type === "text" ? [String(b.text)] : []).join("");
  return text ? [`text:${text}`] : [];
}

/** System, tools and the first `count` messages, without cache markers. */
function prefixOf(body: Record<string, unknown>, count: number): string {
  const messages = Array.isArray(body.messages) ? body.messages.slice(0, count) : [];
  return canonicalJson({ system: body.system ?? null, tools: body.tools ?? null, messages });
}

/** JSON with sorted keys and no `cache_control`, so equal content compares equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (key, v) => {
    if (key === "cache_control") return undefined;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
    }
    return v;
  });
}

/** A short, stable digest (FNV-1a) of a string. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}
