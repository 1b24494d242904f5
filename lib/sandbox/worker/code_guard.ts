/**
 * The guard on code built at run time. Sent as source text (see `source.ts`):
 * {@linkcode guardCodeEvaluation} refers to nothing outside its body and its parameters.
 *
 * @module
 */
import type { AnyConstructor, AnyFunction, Intrinsics } from "./types.ts";

/**
 * Code built at run time (`eval`, `Function` and its async/generator siblings) is not seen by the
 * host's transform, so these wrappers refuse text in which the word `import` is followed, after
 * blanks and comments of every kind (including the HTML-like `<!--` and `-->`), by `(` or `.`.
 * Everything they call was captured before user code existed (a replaced `RegExp.prototype.exec`
 * or `String.prototype.startsWith` cannot blind the check), the Proxy handlers have no prototype
 * (an `Object.prototype.get` cannot become a trap that hands out the original `Function`), and
 * the checked strings are the ones evaluated. `eval` becomes indirect (globals only). Behind this
 * guard, the child's module loader refuses `node:` built-ins and every other import anyway.
 */
export function guardCodeEvaluation(caps: Intrinsics): void {
  const { apply, construct, create, defineProperty, stringOf, TypeErrorClass } = caps;
  const g = globalThis as unknown as Record<string, unknown>;
  const codeAt = (text: string, i: number): number => apply(caps.charCodeAt, text, [i]);
  const isWordChar = (c: number) =>
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 36 ||
    c === 95;
  const isLineEnd = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
  const isBlank = (c: number) =>
    isLineEnd(c) || c === 9 || c === 11 || c === 12 || c === 32 || c === 0xa0 ||
    c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f ||
    c === 0x3000 || c === 0xfeff;
  const startsAt = (text: string, i: number, word: string) => {
    for (let k = 0; k < word.length; k++) {
      if (codeAt(text, i + k) !== codeAt(word, k)) return false;
    }
    return true;
  };
  /** Index of the first character after blanks and comments from `i`. */
  const skipBlanks = (text: string, i: number): number => {
    while (i < text.length) {
      const c = codeAt(text, i);
      if (isBlank(c)) i++;
      else if (startsAt(text, i, "/*")) {
        i += 2;
        while (i < text.length && !startsAt(text, i, "*/")) i++;
        i += 2;
      } else if (startsAt(text, i, "//") || startsAt(text, i, "<!--") || startsAt(text, i, "-->")) {
        while (i < text.length && !isLineEnd(codeAt(text, i))) i++;
      } else return i;
    }
    return i;
  };
  const reachesLoader = (text: string): boolean => {
    for (let i = 0; i + 6 <= text.length; i++) {
      if (!startsAt(text, i, "import")) continue;
      if (i > 0 && isWordChar(codeAt(text, i - 1))) continue;
      if (i + 6 < text.length && isWordChar(codeAt(text, i + 6))) continue;
      const next = skipBlanks(text, i + 6);
      const c = next < text.length ? codeAt(text, next) : -1;
      if (c === 40 || c === 46) return true; // "(" or "."
    }
    return false;
  };
  const refuse = () => {
    throw new TypeErrorClass(
      "import() is not allowed in the deeprepo REPL: everything is in codebase",
    );
  };
  /** The arguments as strings, checked; the same strings are then evaluated. */
  const checked = (args: ArrayLike<unknown>): string[] => {
    const texts: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const text = stringOf(args[i]);
      if (reachesLoader(text)) refuse();
      defineProperty(texts, i, {
        value: text,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    return texts;
  };
  const originalEval = caps.evaluate;
  defineProperty(g, "eval", {
    value: function evaluate(code: unknown) {
      if (typeof code !== "string") return code;
      if (reachesLoader(code)) refuse();
      return originalEval(code);
    },
    writable: true,
    configurable: true,
  });
  const guard = (Original: AnyConstructor) => {
    const handler = create(null) as ProxyHandler<AnyConstructor>;
    handler.apply = (target, _this, args) =>
      apply(target as unknown as AnyFunction, undefined, checked(args));
    handler.construct = (target, args) => construct(target, checked(args));
    return new Proxy(Original, handler);
  };
  const guardedFunction = guard(Function);
  defineProperty(Function.prototype, "constructor", {
    value: guardedFunction,
    writable: true,
    configurable: true,
  });
  defineProperty(g, "Function", { value: guardedFunction, writable: true, configurable: true });
  const siblings = [
    Object.getPrototypeOf(async function () {}).constructor,
    Object.getPrototypeOf(function* () {}).constructor,
    Object.getPrototypeOf(async function* () {}).constructor,
  ];
  for (const Original of siblings) {
    defineProperty(Original.prototype, "constructor", {
      value: guard(Original),
      writable: true,
      configurable: true,
    });
    // The sibling constructors inherit from `Function` itself: without this,
    // `Object.getPrototypeOf(AsyncFunction)` handed out the unguarded original.
    Object.setPrototypeOf(Original, guardedFunction);
  }
}
