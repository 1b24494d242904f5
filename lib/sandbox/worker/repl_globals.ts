/**
 * The REPL's globals. Sent as source text (see `source.ts`): {@linkcode installReplGlobals}
 * refers to nothing outside its body and its parameters.
 *
 * @module
 */
import type { Intrinsics } from "./types.ts";

/** What the REPL globals are made of. */
export interface ReplGlobalParts {
  codebase: unknown;
  fileTree: unknown;
  metadata: unknown;
  answer: unknown;
  print: unknown;
  console: unknown;
  llmQuery: unknown;
  llmBatch: unknown;
  setAnswer: unknown;
}

/**
 * Defines the REPL globals as non-writable (`codebase` frozen, `metadata` deep-frozen, `print`,
 * `console`, `llm_query`, `llm_batch`, `set_answer`, `file_tree`), `answer` as writable, and the
 * `__deeprepo__` helper the host's transform calls (declarations, imports).
 */
export function installReplGlobals(caps: Intrinsics, parts: ReplGlobalParts): void {
  const { defineProperty, freeze, getOwnPropertyDescriptor, stringOf, TypeErrorClass } = caps;
  const g = globalThis as unknown as Record<string, unknown>;
  const deepFreeze = (value: unknown): unknown => {
    if (value && typeof value === "object" && !caps.isFrozen(value)) {
      freeze(value);
      const names = caps.keys(value);
      for (let i = 0; i < names.length; i++) {
        deepFreeze((value as Record<string, unknown>)[names[i]]);
      }
    }
    return value;
  };
  const fixed = (name: string, value: unknown) =>
    defineProperty(g, name, { value, writable: false, enumerable: true, configurable: false });
  const files = freeze(parts.codebase ?? {}) as Record<string, unknown>;
  fixed("codebase", files);
  fixed("numbered", numberedLines(caps, files));
  fixed("file_tree", stringOf(parts.fileTree ?? ""));
  fixed("metadata", deepFreeze(parts.metadata ?? {}));
  fixed("llm_query", parts.llmQuery);
  fixed("llm_batch", parts.llmBatch);
  fixed("set_answer", parts.setAnswer);
  fixed("print", parts.print);
  fixed("console", parts.console);
  const start = parts.answer as { content?: unknown; ready?: unknown } | null | undefined;
  defineProperty(g, "answer", {
    value: start && typeof start === "object"
      ? { content: stringOf(start.content ?? ""), ready: start.ready === true }
      : { content: "", ready: false },
    writable: true,
    enumerable: true,
    configurable: false,
  });

  const reserved = caps.create(null) as Record<string, true>;
  for (
    const name of [
      "codebase",
      "file_tree",
      "metadata",
      "llm_query",
      "llm_batch",
      "set_answer",
      "print",
      "console",
      "numbered",
      "__deeprepo__",
    ]
  ) reserved[name] = true;
  const safeString = (v: unknown) => {
    try {
      return stringOf(v);
    } catch {
      return "(a value that cannot be shown)";
    }
  };
  const denied = (specifier: unknown) =>
    new TypeErrorClass(
      `import of ${safeString(specifier)} is not allowed in the deeprepo REPL: everything is in ` +
        "codebase",
    );
  const writable = (name: string, value: unknown) =>
    defineProperty(g, name, { value, writable: true, enumerable: true, configurable: true });
  const helper = {
    declare(names: string[]) {
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        if (reserved[name]) {
          throw new TypeErrorClass(`"${name}" is a REPL global and cannot be redeclared`);
        }
        const desc = getOwnPropertyDescriptor(g, name);
        if (!desc) writable(name, undefined);
        else if (!("value" in desc) || !desc.writable) {
          if (!desc.configurable) throw new TypeErrorClass(`Cannot redeclare global "${name}"`);
          writable(name, "value" in desc ? desc.value : undefined);
        }
      }
    },
    define: writable,
    freeze(names: string[]) {
      for (let i = 0; i < names.length; i++) {
        const desc = getOwnPropertyDescriptor(g, names[i]);
        if (desc && desc.configurable) {
          defineProperty(g, names[i], {
            value: desc.value,
            writable: false,
            enumerable: true,
            configurable: true,
          });
        }
      }
    },
    importDenied(specifier: unknown) {
      const error = denied(specifier);
      return new caps.PromiseClass((_, reject) => reject(error));
    },
    importStatement(specifier: unknown) {
      throw denied(specifier);
    },
    importMeta: freeze({}),
  };
  fixed("__deeprepo__", freeze(helper));
}

/**
 * `numbered(path, from?, to?)`: a file's lines `from`..`to` (1-based, inclusive; the whole file by
 * default), each prefixed with its number (`  12| `), so models can cite `path:line`. The host's
 * coverage ledger reads numbered text as the file's own. Uses only the intrinsics taken before
 * user code existed.
 */
export function numberedLines(
  caps: Intrinsics,
  files: Record<string, unknown>,
): (path: unknown, from?: unknown, to?: unknown) => string {
  const { apply, stringSlice, stringIndexOf, stringOf, TypeErrorClass, RangeErrorClass } = caps;
  return (path, from, to) => {
    const name = stringOf(path);
    const desc = caps.getOwnPropertyDescriptor(files, name);
    const text = desc ? desc.value : undefined;
    if (typeof text !== "string") {
      throw new TypeErrorClass(`numbered: no file ${name} in codebase`);
    }
    const starts: number[] = [0];
    for (let at = apply(stringIndexOf, text, ["\n"]); at >= 0;) {
      if (at + 1 < text.length) starts[starts.length] = at + 1;
      at = apply(stringIndexOf, text, ["\n", at + 1]);
    }
    const count = text.length === 0 ? 0 : starts.length;
    const endsWithNewline = text.length > 0 &&
      apply(caps.charCodeAt, text, [text.length - 1]) === 10;
    const first = from === undefined ? 1 : +(from as number);
    const last = to === undefined ? count : +(to as number);
    if (!(first >= 1) || !(last >= first - 1) || first % 1 !== 0) {
      throw new RangeErrorClass(`numbered: bad line range ${stringOf(from)}..${stringOf(to)}`);
    }
    const end = last < count ? last : count;
    const width = stringOf(end).length;
    let out = "";
    for (let n = first; n <= end; n++) {
      const a = starts[n - 1];
      const b = n < count ? starts[n] - 1 : text.length - (endsWithNewline ? 1 : 0);
      let num = stringOf(n);
      while (num.length < width) num = " " + num;
      out += (n > first ? "\n" : "") + num + "| " + apply(stringSlice, text, [a, b]);
    }
    return out;
  };
}
