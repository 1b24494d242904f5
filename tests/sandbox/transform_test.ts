import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { HELPER, needsMoreInput, prepareCode } from "../../lib/sandbox/transform.ts";

/** Runs prepared code in a scratch global object, the way the sandbox worker does. */
async function run(code: string, scope: Record<string, unknown> = {}) {
  const prepared = prepareCode(code, 1);
  if (!prepared.ok) throw new Error(`unexpected syntax error: ${prepared.error.message}`);
  const helper = {
    declare: (names: string[]) => names.forEach((n) => (n in scope) || (scope[n] = undefined)),
    define: (name: string, value: unknown) => scope[name] = value,
    freeze: () => {},
    importDenied: (s: string) => Promise.reject(new TypeError(`denied ${s}`)),
    importStatement: (s: string) => {
      throw new TypeError(`denied ${s}`);
    },
    importMeta: {},
  };
  // `with` gives the prepared code a global-like scope without touching the real globals.
  const fn = new Function(
    "scope",
    HELPER,
    `with (scope) { return ${prepared.source.replace(/\n\/\/# sourceURL=.*$/, "")}; }`,
  );
  return await fn(scope, helper)();
}

Deno.test("prepareCode keeps every line of the user's code on the same line", () => {
  const code =
    "const a = 1;\nlet { b, c: [d] } = { b: 2, c: [3] };\nclass K {}\nfunction f() {}\nb";
  const prepared = prepareCode(code, 7);
  assert(prepared.ok);
  const lines = prepared.source.split("\n");
  // The wrapper adds one closing line and the sourceURL line.
  assertEquals(lines.length, code.split("\n").length + 2);
  assertMatch(lines[1], /b, c: \[d\] \} = \{ b: 2/);
  assertMatch(lines[2], /K = class K/);
  assertMatch(prepared.source, /sourceURL=deeprepo-exec-7\.js$/);
});

Deno.test("prepareCode turns top-level declarations into assignments on the scope", async () => {
  const scope: Record<string, unknown> = {};
  const value = await run(
    "const a = 1, [b, ...rest] = [2, 3, 4];\nlet { c, d: { e = 5 } } = { c: 6, d: {} };\n" +
      "var v;\nfunction twice(x) { return x * 2 }\nclass K { k = 9 }\nlet empty;\ntwice(a)",
    scope,
  );
  assertEquals(value, 2);
  assertEquals(scope.a, 1);
  assertEquals(scope.b, 2);
  assertEquals(scope.rest, [3, 4]);
  assertEquals(scope.c, 6);
  assertEquals(scope.e, 5);
  assertEquals(scope.v, undefined);
  assertEquals((scope.twice as (x: number) => number)(4), 8);
  assertEquals(new (scope.K as new () => { k: number })().k, 9);
  assert("empty" in scope);
});

Deno.test("prepareCode leaves declarations inside blocks and loops local", async () => {
  const scope: Record<string, unknown> = {};
  await run("let total = 0;\nfor (const x of [1, 2]) { let y = x; total += y; }", scope);
  assertEquals(scope.total, 3);
  assert(!("x" in scope));
  assert(!("y" in scope));
});

Deno.test("prepareCode calls functions before their declaration (hoisting)", async () => {
  assertEquals(
    await run("const r = later();\nfunction later() { return 'hoisted' }\nr"),
    "hoisted",
  );
});

Deno.test("prepareCode strips TypeScript types with a transpiler", async () => {
  const scope: Record<string, unknown> = {};
  const value = await run(
    "interface Item { path: string }\nconst items: Item[] = [{ path: 'a' }];\n" +
      "const n = items.length as number;\nfunction id<T>(x: T): T { return x }\nid<number>(n)",
    scope,
  );
  assertEquals(value, 1);
  assertEquals(scope.items, [{ path: "a" }]);
});

Deno.test("prepareCode supports top-level await and returns the last expression", async () => {
  assertEquals(await run("const x = await Promise.resolve(20);\nx + 1"), 21);
  assertEquals(await run("const x = 1;"), undefined);
});

Deno.test("prepareCode lets code that mentions import run, and denies import at run time", async () => {
  const scope: Record<string, unknown> = { src: "import a from 'a';\nimport b from 'b';" };
  assertEquals(await run("src.match(/^import\\s/gm).length", scope), 2);
  assertEquals(await run("'import(\"x\")'.length"), 11);
  let message = "";
  try {
    await run("await import('node:fs')");
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message, "denied node:fs");
  try {
    await run("const before = 1;\nimport fs from 'node:fs';");
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message, "denied node:fs");
});

Deno.test("prepareCode reports a syntax error with the user's line", () => {
  const prepared = prepareCode("const a = 1;\n\nconst b = ;", 1);
  assert(!prepared.ok);
  assertEquals(prepared.error.name, "SyntaxError");
  assertEquals(prepared.error.line, 3);
  assertMatch(prepared.error.message, /Unexpected token/);
});

Deno.test("prepareCode parses sloppy scripts (return at top level) when module parsing fails", async () => {
  assertEquals(await run("if (true) return 5;\n6"), 5);
  const prepared = prepareCode("with ({a: 1}) { a }", 1);
  assert(prepared.ok);
  assert(!prepared.source.includes('"use strict"'));
});

Deno.test("needsMoreInput asks for more lines of unfinished JavaScript and TypeScript", () => {
  for (
    const unfinished of [
      "for (const p of paths) {",
      "const s = `multi",
      "print(1,",
      "function add(a: number, b: number): number {",
      "interface Finding {",
      "let total: number = (1 +",
      "const xs: string[] = [",
    ]
  ) {
    assertEquals(needsMoreInput(unfinished), true, unfinished);
  }
  for (
    const done of [
      "print(1)",
      "",
      "let x = ;",
      "const a: number = ;",
      "print(1))",
      "function add(a: number, b: number): number { return a + b }",
    ]
  ) {
    assertEquals(needsMoreInput(done), false, done);
  }
});

/** Code that would reach `import()` if the host and the engine read HTML-like comments apart. */
const ANNEX_B_HIDING: [string, string][] = [
  // #18 finding 1, exactly: a module reads one template string, a script runs the import.
  [
    "<!-- mid-line (issue #18)",
    '0 <!--y; s = `\nprint(Object.keys(await import("node:worker_threads")).length)\n//`',
  ],
  ["<!-- at line start", '<!-- s = `\nawait import("node:os")\n//`'],
  ["<!-- after a declaration", 'const a = 1 <!--b; s = `\nawait import("node:v8")\n//`'],
  ["--> at the start of the code", '--> s = `\nawait import("node:os")\n//`'],
  ["--> after a line break", 'x = 1\n--> s = `\nawait import("node:os")\n//`'],
  ["--> after a multi-line comment", 'x = 1 /*\n*/ --> s = `\nawait import("node:os")\n//`'],
  ["--> after a comment on its line", 'x = 1\n/* a */ --> s = `\nawait import("node:os")\n//`'],
  ["--> after U+2028", 'x = 1\u2028--> s = `\nawait import("node:os")\n//`'],
  ["--> after U+2029", 'x = 1\u2029--> s = `\nawait import("node:os")\n//`'],
  ["--> after \\r", 'x = 1\r--> s = `\nawait import("node:os")\n//`'],
  ["--> after \\r\\n", 'x = 1\r\n--> s = `\nawait import("node:os")\n//`'],
  [
    "<!-- in TypeScript",
    'const n: number = 0 <!--y; s = `\nawait import("node:child_process")\n//`',
  ],
  ["<!-- hiding import.meta", "0 <!--y; s = `\nprint(import.meta)\n//`"],
  ["<!-- hiding a static import", '0 <!--y; s = `\nimport "node:os"\n//`'],
];

Deno.test("prepareCode refuses every Annex B HTML-like comment form that could hide an import", () => {
  for (const [name, code] of ANNEX_B_HIDING) {
    const prepared = prepareCode(code, 1);
    assert(!prepared.ok, `${name} was accepted: ${prepared.ok && prepared.source}`);
    assertEquals(prepared.error.name, "SyntaxError", name);
  }
  const refused = prepareCode(ANNEX_B_HIDING[0][1], 1);
  assert(!refused.ok);
  assertMatch(refused.error.message, /HTML-like comments/);
  assertEquals(refused.error.line, 1);
  const later = prepareCode('print(1)\nx = 2 <!-- y\ns = `\nawait import("node:os")\n//`', 1);
  assert(!later.ok);
  assertEquals(later.error.line, 2);
});

Deno.test("prepareCode keeps <!-- and --> that are not comments: strings, templates, regexes, operators", async () => {
  const scope: Record<string, unknown> = { html: "<p><!-- note --></p>" };
  assertEquals(await run('html.includes("<!--")', scope), true);
  assertEquals(await run("`a\n<!-- b\n--> c`.split('\\n').length", scope), 3);
  assertEquals(await run("/<!--([^]*?)-->/.exec(html)[1]", scope), " note ");
  assertEquals(await run("let i = 3; const j = i-->1; [i, j]", scope), [2, true]);
  assertEquals(await run("let k = 3; k --> 0", scope), true);
  // And the file text itself is just data.
  assertEquals(await run('"<!--" + "-->"', scope), "<!---->");
});
