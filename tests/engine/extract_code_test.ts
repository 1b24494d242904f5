import { assert, assertEquals } from "../_helpers/assert.ts";
import { extractCode, isProseLine } from "../../lib/engine/extract_code.ts";

const F = "```";

Deno.test("extractCode() returns one js block without the surrounding prose", () => {
  const blocks = extractCode(
    `Here is the code:\n${F}js\nconst x = 1;\nprint(x);\n${F}\nThat's it.`,
  );
  assertEquals(blocks, ["const x = 1;\nprint(x);"]);
});

Deno.test("extractCode() keeps fences inside a template literal and escapes them", () => {
  const reply = [
    "Here is the analysis code:",
    `${F}javascript`,
    "const prompts = Object.entries(codebase).map(([name, content]) => `Analyze this file:",
    F,
    "${content}",
    F,
    "Return JSON with keys: purpose, classes, functions.`);",
    "",
    "const results = await llm_batch(prompts);",
    'set_answer(results.join("\\n"));',
    F,
    "That completes the analysis.",
  ].join("\n");
  const blocks = extractCode(reply);
  assertEquals(blocks.length, 1);
  assert(blocks[0].includes("await llm_batch(prompts)"));
  assert(blocks[0].includes("set_answer("));
  // The inner fences stay in the prompt text, escaped so the template literal still parses.
  assert(blocks[0].includes("\\`\\`\\`"));
  new Function(`return (async () => {${blocks[0]}})`); // parses as JS
});

Deno.test("extractCode() is not fooled by a fence inside a template with ${} expressions", () => {
  const reply = [
    `${F}ts`,
    "const p = `File ${path}:",
    F,
    "${codebase[`${path}`]}",
    F,
    "`;",
    "print(p.length);",
    F,
  ].join("\n");
  const [block] = extractCode(reply);
  assert(block.endsWith("print(p.length);"));
});

Deno.test("extractCode() leaves prose before the block out", () => {
  const reply = "Let me analyze this codebase step by step.\nFirst, the structure.\n\n" +
    `${F}typescript\nfor (const f of Object.keys(codebase)) print(f);\n${F}\n`;
  const blocks = extractCode(reply);
  assertEquals(blocks, ["for (const f of Object.keys(codebase)) print(f);"]);
  assert(blocks.every((b) => !b.includes("Let me analyze")));
});

Deno.test("extractCode() returns several blocks in order", () => {
  const reply = `Step 1:\n${F}js\nconst x = 1;\n${F}\n\nStep 2:\n${F}ts\nconst y = 2;\n${F}\n`;
  assertEquals(extractCode(reply), ["const x = 1;", "const y = 2;"]);
});

Deno.test("extractCode() rejects a reply that is only prose", () => {
  const reply = "Let me explain the architecture.\nThe codebase uses a modular design.\n" +
    "It has several entry points including main.ts.\nHere is how the data flows.\n";
  assertEquals(extractCode(reply), []);
});

Deno.test("extractCode() accepts unfenced code when no line reads like prose", () => {
  const reply = "const files = Object.keys(codebase);\nfor (const f of files) {\n  print(f);\n}\n";
  assertEquals(extractCode(reply), [reply.trim()]);
});

Deno.test("extractCode() skips blocks in other languages", () => {
  const reply = `${F}json\n{"a": 1}\n${F}\n${F}js\nprint(1)\n${F}`;
  assertEquals(extractCode(reply), ["print(1)"]);
});

Deno.test("isProseLine() tells sentences and list items from code", () => {
  assert(isProseLine("Let me analyze this."));
  assert(isProseLine("Here is the code:"));
  assert(isProseLine("The function returns true."));
  assert(isProseLine("* bullet point"));
  assert(isProseLine("1. numbered list"));
  assert(!isProseLine("import json from './x.json';"));
  assert(!isProseLine("x = 1"));
  assert(!isProseLine("    indentedCode()"));
  assert(!isProseLine("Object.keys(codebase)"));
  assert(!isProseLine(""));
});

Deno.test("extractCode() splits a prose-wrapped fence into its inner code blocks", () => {
  const reply = [
    `${F}js`,
    "Let me analyze the compatibility layer:",
    "",
    `${F}js`,
    'const v1 = Object.keys(codebase).filter((f) => f.includes("v1"));',
    "print(v1);",
    F,
    "",
    "Now let me check deprecated modules:",
    "",
    `${F}js`,
    'const dep = Object.keys(codebase).filter((f) => f.includes("deprecated"));',
    "print(dep);",
    F,
    F,
  ].join("\n");
  const blocks = extractCode(reply);
  assertEquals(blocks.length, 2);
  assert(blocks[0].includes("const v1"));
  assert(blocks[1].includes("const dep"));
  for (const b of blocks) {
    assert(!b.includes("Let me analyze"));
    assert(!b.includes("Now let me check"));
  }
});

Deno.test("extractCode() does not split a block that starts with code", () => {
  const reply = [
    "Here is the code:",
    `${F}js`,
    "const prompts = Object.entries(codebase).map(([n, c]) => `Analyze ${n}:",
    F,
    "${c}",
    F,
    "Return JSON.`);",
    "",
    "const results = await llm_batch(prompts);",
    F,
    "Done.",
  ].join("\n");
  const blocks = extractCode(reply);
  assertEquals(blocks.length, 1);
  assert(blocks[0].includes("await llm_batch(prompts)"));
});

Deno.test("extractCode() ignores an apostrophe in a comment or string when finding the end", () => {
  const reply = `${F}js\n// don't stop here\nconst s = "it's";\nprint(s);\n${F}\nAfter.`;
  assertEquals(extractCode(reply), [`// don't stop here\nconst s = "it's";\nprint(s);`]);
});
