import {
  BASELINE_SYSTEM_PROMPT,
  baselineOrder,
  buildBaselinePrompt,
} from "../../lib/baseline/prompt.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "../_helpers/assert.ts";
import { fakeSnapshot } from "./_snapshot.ts";

const files = {
  "src/main.ts": "m".repeat(3000),
  "src/a.ts": "a".repeat(100),
  "src/b.ts": "b".repeat(300),
  "src/c.ts": "c".repeat(200),
  "src/d.ts": "d".repeat(2000),
};

Deno.test("baselineOrder puts entry points first, then the rest smallest first", () => {
  const snapshot = fakeSnapshot(files, ["src/main.ts"]);
  assertEquals(baselineOrder(snapshot), [
    "src/main.ts",
    "src/a.ts",
    "src/c.ts",
    "src/b.ts",
    "src/d.ts",
  ]);
});

Deno.test("buildBaselinePrompt includes a large entry point and excludes what no longer fits", () => {
  const snapshot = fakeSnapshot(files, ["src/main.ts"]);
  const all = buildBaselinePrompt(snapshot, { maxChars: 100_000 }).budgetedChars;
  const block = (path: string, content: string) =>
    `\n### ${path}\n\`\`\`\n${content}\n\`\`\`\n`.length;
  // Room for the entry point, the two smallest files and the list of what was left out (300
  // characters at least), not for b (300) or d (2000).
  const budget = all - block("src/b.ts", files["src/b.ts"]) - block("src/d.ts", files["src/d.ts"]) +
    150 + 300;
  const prompt = buildBaselinePrompt(snapshot, { maxChars: budget });
  assertEquals(prompt.included, ["src/main.ts", "src/a.ts", "src/c.ts"]);
  assertEquals(prompt.excluded, ["src/b.ts", "src/d.ts"]);
  assertEquals(prompt.chars, prompt.text.length);
  assert(prompt.chars <= budget, `the whole message is ${prompt.chars} > ${budget}`);
  // Without the room for the list, c no longer fits: the list is part of the budget.
  const tighter = buildBaselinePrompt(snapshot, { maxChars: budget - 300 });
  assertEquals(tighter.excluded, ["src/c.ts", "src/b.ts", "src/d.ts"]);
  assert(tighter.chars <= budget - 300);
  assertStringIncludes(prompt.text, `### src/main.ts\n\`\`\`\n${"m".repeat(3000)}\n\`\`\``);
  assert(!prompt.text.includes("b".repeat(300)), "excluded content must not be sent");
  assertStringIncludes(prompt.text, "## Files not shown");
  assertStringIncludes(prompt.text, "- src/b.ts\n- src/d.ts\n");
});

Deno.test("buildBaselinePrompt skips an entry point that does not fit but keeps smaller files", () => {
  const snapshot = fakeSnapshot(files, ["src/main.ts"]);
  const prompt = buildBaselinePrompt(snapshot, { maxChars: 1500 });
  assert(prompt.excluded.includes("src/main.ts"));
  assert(prompt.included.includes("src/a.ts"), JSON.stringify(prompt.included));
});

Deno.test("buildBaselinePrompt includes everything and lists nothing when the budget is ample", () => {
  const prompt = buildBaselinePrompt(fakeSnapshot(files, []), { maxChars: 180_000 });
  assertEquals(prompt.included.length, 5);
  assertEquals(prompt.excluded, []);
  assert(!prompt.text.includes("## Files not shown"));
});

Deno.test("buildBaselinePrompt names unloadable files and never sends their markers", () => {
  const snapshot = fakeSnapshot({ "a.ts": "x" }, [], [
    { path: "huge.json", status: "too_large" },
    { path: "locked.ts", status: "read_error" },
  ]);
  const prompt = buildBaselinePrompt(snapshot);
  assertEquals(prompt.included, ["a.ts"]);
  assertEquals(prompt.unavailable.map((u) => u.path), ["huge.json", "locked.ts"]);
  assertStringIncludes(prompt.text, "- huge.json (too large)");
  assert(!prompt.text.includes("[FILE TOO LARGE"));
});

Deno.test("buildBaselinePrompt lengthens the fence for files that contain backtick runs", () => {
  const prompt = buildBaselinePrompt(fakeSnapshot({ "README.md": "```js\nx\n```\n" }));
  assertStringIncludes(prompt.text, "````\n```js\nx\n```\n````\n");
});

Deno.test("buildBaselinePrompt rejects a non-positive budget", () => {
  assertThrows(() => buildBaselinePrompt(fakeSnapshot(files), { maxChars: 0 }), RangeError);
});

Deno.test("the baseline system prompt asks for the four analyze sections with P0/P1/P2", () => {
  for (const part of ["Architecture", "security", "Code quality", "P0", "P1", "P2"]) {
    assertStringIncludes(BASELINE_SYSTEM_PROMPT, part);
  }
});

Deno.test("buildBaselinePrompt caps the excluded list and counts the rest", () => {
  const many: Record<string, string> = {};
  for (let i = 0; i < 500; i++) {
    many[`src/module_${String(i).padStart(3, "0")}.ts`] = "x".repeat(100);
  }
  const prompt = buildBaselinePrompt(fakeSnapshot(many), { maxChars: 5_000 });
  assert(prompt.excluded.length > 400, `${prompt.excluded.length} excluded`);
  assert(prompt.chars <= 5_000, `the whole message is ${prompt.chars} chars`);
  const section = prompt.text.slice(prompt.text.indexOf("## Files not shown"));
  // The list gets the room set aside for it (a tenth) plus whatever the files left unused.
  assert(section.length >= 400, `excluded section is only ${section.length} chars`);
  assertEquals(prompt.chars, prompt.budgetedChars + section.length + 1);
  const listed = section.split("\n").filter((l) => l.startsWith("- src/")).length;
  assertStringIncludes(
    section,
    `- ... and ${prompt.excluded.length - listed} more (see the file tree)`,
  );
  assertStringIncludes(section, `These ${prompt.excluded.length} files exist`);
});

Deno.test("buildBaselinePrompt cuts a huge file tree so code still fits the budget", () => {
  const many: Record<string, string> = { "main.ts": "entry();\n" };
  for (let i = 0; i < 2_000; i++) many[`gen/file_${i}.ts`] = "y".repeat(400);
  const prompt = buildBaselinePrompt(fakeSnapshot(many, ["main.ts"]), { maxChars: 20_000 });
  assertStringIncludes(prompt.text, "more lines)");
  assert(prompt.included.includes("main.ts"));
  assert(prompt.included.length > 10, `${prompt.included.length} files included`);
  assert(prompt.chars <= 20_000, `the whole message is ${prompt.chars} chars`);
});
