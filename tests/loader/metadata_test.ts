import { assertEquals } from "../_helpers/assert.ts";
import { buildMetadata, countLines } from "../../lib/loader/metadata.ts";
import type { FileRecord } from "../../lib/loader/types.ts";

Deno.test("countLines counts a last line without a newline", () => {
  assertEquals(countLines(""), 0);
  assertEquals(countLines("a"), 1);
  assertEquals(countLines("a\n"), 1);
  assertEquals(countLines("a\nb"), 2);
  assertEquals(countLines("\n\n"), 2);
});

Deno.test("buildMetadata totals what codebase holds and ranks included files only", () => {
  const codebase: Record<string, string> = {
    "a.ts": "x".repeat(50) + "\n",
    "b.ts": "yy\nzz\n",
    "Makefile": "all:\n\ttrue",
    "big.json": "[FILE TOO LARGE: 600,000 bytes, skipped]",
  };
  const files: FileRecord[] = Object.entries(codebase).map(([path, text]) => ({
    path,
    chars: text.length,
    bytes: path === "big.json" ? 600_000 : text.length,
    status: path === "big.json" ? "too_large" : "included",
  }));
  const meta = buildMetadata("demo", files, codebase, ["Makefile"]);
  assertEquals(meta.repo_name, "demo");
  assertEquals(meta.total_files, 4);
  assertEquals(meta.total_chars, Object.values(codebase).reduce((n, t) => n + t.length, 0));
  assertEquals(meta.total_lines, 1 + 2 + 2 + 1);
  assertEquals(meta.file_types, { ".ts": 2, ".json": 1, Makefile: 1 });
  assertEquals(Object.keys(meta.file_types), [".ts", ".json", "Makefile"]);
  assertEquals(meta.largest_files, [["a.ts", 51], ["Makefile", 10], ["b.ts", 6]]);
  assertEquals(meta.entry_points, ["Makefile"]);
});

Deno.test("buildMetadata lists at most 15 largest files, largest first, ties by path", () => {
  const files: FileRecord[] = [];
  const codebase: Record<string, string> = {};
  for (let i = 0; i < 40; i++) {
    const path = `f${String(i).padStart(2, "0")}.ts`;
    const chars = (i * 7) % 20; // many ties
    codebase[path] = "x".repeat(chars);
    files.push({ path, chars, bytes: chars, status: "included" });
  }
  const largest = buildMetadata("r", files, codebase, []).largest_files;
  const expected = files
    .map((f): [string, number] => [f.path, f.chars])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 15);
  assertEquals(largest, expected);
});
