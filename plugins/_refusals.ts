/**
 * Turns an API's 400 for a request field the model refuses into one line that names the model,
 * the field and the fix. Built-in plugins never send such fields (they follow each model's
 * rules), so when one of these reaches a user it is a deeprepo bug and the line says so.
 *
 * @module
 */

/** A refusal the APIs are known to send, and how to say it. */
interface KnownRefusal {
  pattern: RegExp;
  /** What the model does not accept, e.g. `forced tool use (tool_choice)`. */
  what: string;
}

const KNOWN: KnownRefusal[] = [
  { pattern: /tool_choice/i, what: "forced tool use (tool_choice)" },
  { pattern: /thinking\.type\.disabled|thinking.*disabled/i, what: "turning thinking off" },
  {
    pattern: /thinking\.type\.enabled|budget_tokens/i,
    what: "a thinking budget (thinking.budget_tokens)",
  },
  {
    pattern: /\b(temperature|top_p|top_k)\b/i,
    what: "sampling parameters (temperature, top_p, top_k)",
  },
  {
    pattern: /prefill|final assistant (turn|message)|ends? with an assistant/i,
    what: "an assistant prefill (a conversation ending with an assistant turn)",
  },
  {
    pattern: /bound to a different conversation|signature.*thinking/i,
    what: "a conversation whose earlier turns or thinking blocks were changed or dropped",
  },
  {
    pattern: /Function tools with reasoning_effort/i,
    what: "function tools with reasoning effort in /v1/chat/completions",
  },
  { pattern: /reasoning[._]effort/i, what: "this reasoning effort value" },
];

/**
 * Rewrites a 400 that refuses a request field; leaves every other error as it is.
 *
 * @param model The model id the request was for.
 * @param error What the SDK threw.
 * @returns An error with the same `status` whose API message is one explaining line, or
 * `error` itself.
 *
 * @example
 * ```ts
 * const refused = Object.assign(new Error("400"), {
 *   status: 400,
 *   error: { error: { message: "`tool_choice.type` \"any\" is not supported for this model." } },
 * });
 * (explainRefusal("claude-sonnet-5-5", refused) as Error).message;
 * // "claude-sonnet-5-5 does not accept forced tool use (tool_choice); this is a deeprepo bug,
 * //  please report it (API: `tool_choice.type` "any" is not supported for this model.)"
 * ```
 */
export function explainRefusal(model: string, error: unknown): unknown {
  const e = error as { status?: unknown; error?: unknown; message?: unknown } | null;
  if (!e || e.status !== 400) return error;
  const original = apiText(e);
  const known = KNOWN.find((k) => k.pattern.test(original));
  if (!known) return error;
  const message = `${model} does not accept ${known.what}; this is a deeprepo bug, please ` +
    `report it (API: ${original.split("\n")[0]})`;
  return Object.assign(new Error(message), {
    status: 400,
    error: { error: { message } },
    cause: error,
  });
}

function apiText(e: { error?: unknown; message?: unknown }): string {
  const body = e.error as { error?: { message?: unknown }; message?: unknown } | undefined;
  const fromBody = body?.error?.message ?? body?.message;
  if (typeof fromBody === "string" && fromBody) return fromBody;
  return typeof e.message === "string" ? e.message : String(e);
}
