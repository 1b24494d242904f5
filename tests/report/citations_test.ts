import { assert, assertEquals, assertMatch, assertNotMatch } from "../_helpers/assert.ts";
import { checkCitations, type CitationSource } from "../../lib/report/citations.ts";

const AUTH = [
  "import { db } from './db.ts';",
  "",
  "export function login(user: string, pass: string) {",
  "  const q = `SELECT * FROM users WHERE name = '${user}'`;",
  "  return db.query(q);",
  "}",
  "",
].join("\n");
const DB = "export const db = {\n  query(q: string) {\n    return q;\n  },\n};\n";

function source(): CitationSource {
  return {
    files: new Map([
      ["src/auth.ts", AUTH],
      ["src/db.ts", DB],
      ["lib/util/format.ts", "export const f = 1;\n"],
      ["README.md", "# demo\n"],
    ]),
    skipped: new Map([["assets/big.json", "too_large"], ["keys/server.pem", "secret"]]),
  };
}

Deno.test("checkCitations() verifies path, path:line and path:start-end that exist", () => {
  const out = checkCitations(
    "See src/auth.ts, `src/auth.ts:4` and [login](src/auth.ts#L3-L6); also src/db.ts:1-5.",
    source(),
  );
  assertEquals(out.citations.map((c) => [c.original, c.status]), [
    ["src/auth.ts", "verified"],
    ["src/auth.ts:4", "verified"],
    ["src/auth.ts#L3-L6", "verified"],
    ["src/db.ts:1-5", "verified"],
  ]);
  assertEquals(out.counts, {
    citations_total: 4,
    citations_verified: 4,
    citations_corrected: 0,
    citations_unverified: 0,
  });
  assertNotMatch(out.text, /unverified/);
});

Deno.test("checkCitations() marks lines past the end of the file and a missing file", () => {
  const out = checkCitations("Bug at src/auth.ts:40. Also src/nothere.ts:3.", source());
  assertEquals(out.citations.map((c) => c.status), ["unverified", "unverified"]);
  assertMatch(out.text, /⚠ unverified: `src\/auth\.ts:40` \(src\/auth\.ts has 6 lines\)/);
  assertMatch(out.text, /⚠ unverified: `src\/nothere\.ts:3` \(no such file\)/);
  assertEquals(out.counts.citations_unverified, 2);
});

Deno.test("checkCitations() checks inline quotes whitespace-insensitively at the cited lines", () => {
  const ok = checkCitations("- `src/auth.ts:4` — `const q = `  + 'x'", source());
  assertEquals(ok.citations[0].status, "verified");
  const spaced = checkCitations("- `src/auth.ts:5`: `return   db.query( q );`", source());
  assertEquals(spaced.citations[0].status, "verified");
});

Deno.test("checkCitations() corrects a wrong line whose quote occurs once in the file", () => {
  const out = checkCitations("Injection at `src/auth.ts:2` — `return db.query(q);`", source());
  assertEquals(out.citations[0].status, "corrected");
  assertEquals(out.citations[0].start, 5);
  assertMatch(out.text, /`src\/auth\.ts:5`/);
  assertEquals(out.counts.citations_corrected, 1);
});

Deno.test("checkCitations() corrects with a fenced block after the citation", () => {
  const report = [
    "The query is built by string concatenation in src/auth.ts:1-2:",
    "",
    "```ts",
    "export function login(user: string, pass: string) {",
    "  const q = `SELECT * FROM users WHERE name = '${user}'`;",
    "```",
  ].join("\n");
  const out = checkCitations(report, source());
  assertEquals(out.citations.length, 1);
  assertEquals(out.citations[0].status, "corrected");
  assertEquals([out.citations[0].start, out.citations[0].end], [3, 4]);
  assertMatch(out.text, /in src\/auth\.ts:3-4:/);
});

Deno.test("checkCitations() leaves a quote found nowhere unverified, never dropped", () => {
  const out = checkCitations("`src/auth.ts:4` — `eval(userInput)`", source());
  assertEquals(out.citations[0].status, "unverified");
  assertMatch(out.text, /^`src\/auth\.ts:4` — `eval\(userInput\)` ⚠ unverified/);
});

Deno.test("checkCitations() corrects a wrong folder when the basename is unique", () => {
  const out = checkCitations("Formatting lives in `util/format.ts:1`.", source());
  assertEquals(out.citations[0].status, "corrected");
  assertEquals(out.citations[0].path, "lib/util/format.ts");
  assertMatch(out.text, /`lib\/util\/format\.ts:1`/);
});

Deno.test("checkCitations() marks a file the loader skipped as not loaded, not as wrong", () => {
  const out = checkCitations("Config in assets/big.json:3 and keys/server.pem.", source());
  assertEquals(out.citations.map((c) => c.status), ["not_loaded", "not_loaded"]);
  assertMatch(out.text, /file not loaded: too_large/);
  assertMatch(out.text, /file not loaded: secret/);
});

Deno.test("checkCitations() ignores URLs, prose with dots, and code inside fenced blocks", () => {
  const report = [
    "Built on Node.js, e.g. with https://example.com/src/auth.ts:4 as docs.",
    "Version 1.2.3 of the API.",
    "```",
    "src/nothere.ts:99",
    "```",
  ].join("\n");
  const out = checkCitations(report, source());
  assertEquals(out.citations, []);
  assertEquals(out.text, report);
});

Deno.test("checkCitations() finds a bare file name only when such a file exists", () => {
  const out = checkCitations("Read README.md first; `format.ts` and `missing.ts` too.", source());
  assertEquals(out.citations.map((c) => [c.original, c.status]), [
    ["README.md", "verified"],
    ["format.ts", "corrected"],
  ]);
});

Deno.test("checkCitations() with no citations returns the text unchanged", () => {
  const text = "# Report\n\nNothing to cite here.\n";
  const out = checkCitations(text, source());
  assertEquals(out.text, text);
  assertEquals(out.counts.citations_total, 0);
  assert(out.citations.length === 0);
});

Deno.test("checkCitations() reads quotes copied from numbered() output without their numbers", () => {
  const report =
    "Here, src/auth.ts:4-5:\n\n```\n4| const q = `SELECT * FROM users WHERE name = '${user}'`;\n5|   return db.query(q);\n```\n";
  const out = checkCitations(report, source());
  assertEquals(out.citations[0].status, "verified");
});
