import { assertEquals } from "../_helpers/assert.ts";
import { buildFileTree } from "../../lib/loader/tree.ts";

Deno.test("buildFileTree indents two spaces a level and marks folders with /", () => {
  const tree = buildFileTree("demo", ["README.md", "src/lib/util.ts", "src/main.ts", "x.ts"]);
  assertEquals(tree.split("\n"), [
    "demo/",
    "  README.md",
    "  src/",
    "    lib/",
    "      util.ts",
    "    main.ts",
    "  x.ts",
  ]);
});

Deno.test("buildFileTree draws each folder once even when its files are not adjacent", () => {
  const tree = buildFileTree("r", ["a/b/c.ts", "a/d.ts", "a/e/f.ts"]);
  assertEquals(tree.split("\n"), [
    "r/",
    "  a/",
    "    b/",
    "      c.ts",
    "    d.ts",
    "    e/",
    "      f.ts",
  ]);
});

Deno.test("buildFileTree summarises files below the depth limit per folder", () => {
  const paths = [
    "a/b/c/d/e/f1.ts",
    "a/b/c/d/e/g/f2.ts",
    "a/b/c/d/shallow.ts",
    "a/b/c/d/z/f3.ts",
    "a/b/c/x/f4.ts",
  ];
  assertEquals(buildFileTree("r", paths, 4).split("\n"), [
    "r/",
    "  a/",
    "    b/",
    "      c/",
    "        d/",
    "          ... (3 files in deeper folders)",
    "          shallow.ts",
    "        x/",
    "          f4.ts",
  ]);
  assertEquals(buildFileTree("r", ["a/b/f.ts"], 1).split("\n"), [
    "r/",
    "  a/",
    "    ... (1 file in deeper folders)",
  ]);
});
