import { assertEquals } from "../_helpers/assert.ts";
import { findEntryPoints } from "../../lib/loader/entry_points.ts";

Deno.test("findEntryPoints finds well-known names in any folder", () => {
  const found = findEntryPoints({
    "cmd/server/main.go": "package main",
    "go.mod": "module x",
    "src/main.rs": "fn main() {}",
    "Cargo.toml": "",
    "deno.json": "{}",
    "lib/helpers.ts": "export {}",
  });
  assertEquals(found, ["Cargo.toml", "cmd/server/main.go", "deno.json", "go.mod", "src/main.rs"]);
});

Deno.test("findEntryPoints follows package.json main and bin targets", () => {
  const found = findEntryPoints({
    "packages/cli/package.json": JSON.stringify({
      main: "./lib/index.js",
      bin: { tool: "bin/tool.js", other: "../../outside.js" },
    }),
    "packages/cli/lib/index.js": "",
    "packages/cli/bin/tool.js": "",
    "package.json": JSON.stringify({ bin: "missing.js" }),
    "broken/package.json": "{ not json",
  });
  assertEquals(found, [
    "broken/package.json",
    "package.json",
    "packages/cli/bin/tool.js",
    "packages/cli/lib/index.js",
    "packages/cli/package.json",
  ]);
});

Deno.test("findEntryPoints detects main guards in Python and JavaScript", () => {
  const found = findEntryPoints({
    "tool.py": "def run():\n    pass\n\nif __name__ == '__main__':\n    run()\n",
    "lib.py": "# mentions __main__ and __name__ but has no guard\n",
    "cli.ts": "export function main() {}\nif (import.meta.main) main();\n",
    "node.cjs": "if (require.main === module) {\n  start();\n}\n",
    "doc.ts": "/**\n * Use `if (import.meta.main)` in your scripts.\n */\n",
    "types.d.ts": "if (import.meta.main) {}\n", // declarations are never run
  });
  assertEquals(found, ["cli.ts", "node.cjs", "tool.py"]);
});

Deno.test("findEntryPoints resolves a target written without its extension, as Node does", () => {
  const found = findEntryPoints({
    "package.json": JSON.stringify({ main: "lib/index", bin: { a: "./cli", b: "./tools" } }),
    "lib/index.js": "",
    "cli.mjs": "",
    "tools/index.ts": "",
    "unrelated.js": "",
  });
  assertEquals(found, ["cli.mjs", "lib/index.js", "package.json", "tools/index.ts"]);
});

Deno.test("findEntryPoints follows a deno.json's exports", () => {
  assertEquals(
    findEntryPoints({
      "deno.json": JSON.stringify({ exports: "./mod.ts" }),
      "mod.ts": "",
      "other.ts": "",
    }),
    ["deno.json", "mod.ts"],
  );
  assertEquals(
    findEntryPoints({
      "pkg/deno.json": JSON.stringify({ exports: { ".": "./mod.ts", "./cli": "./cli.ts" } }),
      "pkg/mod.ts": "",
      "pkg/cli.ts": "",
      "pkg/internal.ts": "",
    }),
    ["pkg/cli.ts", "pkg/deno.json", "pkg/mod.ts"],
  );
});

Deno.test("findEntryPoints takes a main of '.' as the folder's index file", () => {
  assertEquals(
    findEntryPoints({ "w/package.json": JSON.stringify({ main: "." }), "w/index.js": "" }),
    ["w/index.js", "w/package.json"],
  );
});
