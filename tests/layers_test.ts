import { assertEquals, assertStringIncludes } from "./_helpers/assert.ts";
import {
  CHECKED_FOLDERS,
  checkLayers,
  folderGraph,
  type ImportEdge,
  repositoryGraph,
  stronglyConnected,
} from "../scripts/layers.ts";

const edge = (from: string, to: string, line = 1): ImportEdge => ({ from, to, line });

Deno.test("layers: deeprepo's own imports keep every layer rule", async () => {
  const root = new URL("../", import.meta.url).href;
  const { edges, files, modFolders } = await repositoryGraph(root, CHECKED_FOLDERS);
  // The graph really covers the code: every lib folder, the CLI's commands, the plugins.
  assertEquals(files.includes("lib/cli/commands/analyze.ts"), true);
  assertEquals(edges.some((e) => e.from === "main.ts" && e.to === "lib/cli/main.ts"), true);
  assertEquals(modFolders.includes("lib/providers"), true);
  const violations = checkLayers(edges, { modFolders });
  assertEquals(violations.map((v) => `[${v.rule}] ${v.message}`).join("\n"), "");
});

Deno.test("layers: a cycle between two lib folders is reported with the imports that form it", () => {
  const edges = [
    edge("lib/engine/prompts.ts", "lib/report/numbers.ts", 9),
    edge("lib/report/summary.ts", "lib/engine/types.ts", 5),
    edge("lib/report/summary.ts", "lib/errors.ts"),
  ];
  const violations = checkLayers(edges, { modFolders: [] });
  assertEquals(violations.map((v) => v.rule), ["cycle"]);
  assertStringIncludes(violations[0].message, "import cycle between lib/engine, lib/report");
  assertStringIncludes(
    violations[0].message,
    "lib/engine/prompts.ts:9 imports lib/report/numbers.ts",
  );
  assertStringIncludes(
    violations[0].message,
    "lib/report/summary.ts:5 imports lib/engine/types.ts",
  );
});

Deno.test("layers: a longer cycle through three folders is one violation naming all three", () => {
  const edges = [
    edge("lib/a/x.ts", "lib/b/y.ts"),
    edge("lib/b/y.ts", "lib/c/z.ts"),
    edge("lib/c/z.ts", "lib/a/x.ts"),
    edge("lib/d/w.ts", "lib/a/x.ts"),
  ];
  const violations = checkLayers(edges, { modFolders: [] });
  assertEquals(violations.length, 1);
  assertStringIncludes(violations[0].message, "between lib/a, lib/b, lib/c:");
  assertEquals(stronglyConnected(folderGraph(edges)), [["lib/a", "lib/b", "lib/c"]]);
});

Deno.test("layers: files directly in lib/ are a layer of their own, below every folder", () => {
  const edges = [
    edge("lib/errors.ts", "lib/cli/program.ts"),
    edge("lib/cli/main.ts", "lib/errors.ts"),
  ];
  const rules = checkLayers(edges, { modFolders: [] }).map((v) => v.rule);
  assertEquals(rules, ["cycle", "cli-from-below"]);
});

Deno.test("layers: imports inside one folder, and downward ones, are no cycle", () => {
  const edges = [
    edge("lib/cli/commands/list_models.ts", "lib/cli/program.ts"),
    edge("lib/cli/program.ts", "lib/cli/commands/list_models.ts"),
    edge("lib/cli/program.ts", "lib/engine/run.ts"),
    edge("lib/engine/run.ts", "lib/errors.ts"),
    edge("plugins/anthropic.ts", "lib/providers/types.ts"),
    edge("lib/providers/builtins.ts", "plugins/anthropic.ts"),
  ];
  assertEquals(checkLayers(edges, { modFolders: [] }), []);
});

Deno.test("layers: only main.ts, lib/cli and tests may import lib/cli", () => {
  const edges = [
    edge("main.ts", "lib/cli/main.ts"),
    edge("tests/cli/program_test.ts", "lib/cli/program.ts"),
    edge("lib/cli/commands/analyze.ts", "lib/cli/progress.ts"),
    edge("lib/engine/run.ts", "lib/cli/progress.ts", 12),
    edge("plugins/acme.ts", "lib/cli/context.ts", 3),
  ];
  const messages = checkLayers(edges, { modFolders: [] }).map((v) => `${v.rule} ${v.message}`);
  assertEquals(messages, [
    "cli-from-below lib/engine/run.ts:12 imports lib/cli/progress.ts: only main.ts and " +
    "lib/cli may import lib/cli",
    "cli-from-below plugins/acme.ts:3 imports lib/cli/context.ts: only main.ts and lib/cli " +
    "may import lib/cli",
  ]);
});

Deno.test("layers: a folder with mod.ts is entered through it, except declared entries", () => {
  const edges = [
    edge("lib/engine/run.ts", "lib/providers/mod.ts"),
    edge("lib/engine/run.ts", "lib/providers/types.ts", 7),
    edge("lib/providers/registry.ts", "lib/providers/types.ts"),
    edge("plugins/anthropic.ts", "lib/providers/types.ts"),
    edge("tests/providers/retry_test.ts", "lib/providers/retry.ts"),
    edge("lib/engine/run.ts", "lib/report/summary.ts"),
    edge("lib/report/summary.ts", "lib/report/html/page.ts"),
    edge("lib/cli/x.ts", "lib/report/html/page.ts", 4),
  ];
  const violations = checkLayers(edges, {
    modFolders: ["lib/providers", "lib/report/html"],
    extraEntries: [{ file: "lib/providers/types.ts", importers: ["plugins/"], why: "plugin API" }],
  });
  assertEquals(violations.map((v) => v.message), [
    "lib/engine/run.ts:7 imports lib/providers/types.ts: import lib/providers/mod.ts instead",
    "lib/report/summary.ts:1 imports lib/report/html/page.ts: import lib/report/html/mod.ts instead",
    "lib/cli/x.ts:4 imports lib/report/html/page.ts: import lib/report/html/mod.ts instead",
  ]);
});

Deno.test("layers: lib/ never imports tests, benchmarks, scripts or examples", () => {
  const edges = [
    edge("lib/engine/run.ts", "tests/engine/_fakes.ts", 2),
    edge("lib/cli/x.ts", "scripts/compile.ts", 3),
    edge("tests/cli/x_test.ts", "scripts/compile.ts"),
  ];
  assertEquals(checkLayers(edges, { modFolders: [] }).map((v) => v.message), [
    "lib/engine/run.ts:2 imports tests/engine/_fakes.ts: lib/ must not depend on tests/",
    "lib/cli/x.ts:3 imports scripts/compile.ts: lib/ must not depend on scripts/",
  ]);
});

Deno.test("layers: a cycle added on purpose to real files is found through deno info", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo-layers-test-" });
  try {
    const write = async (path: string, text: string) => {
      await Deno.mkdir(`${dir}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${path}`, text);
    };
    await write("deno.json", "{}\n");
    await write(
      "lib/engine/prompts.ts",
      'import { n } from "../report/numbers.ts";\nexport const p = n;\n',
    );
    await write("lib/report/numbers.ts", "export const n = 1;\n");
    await write(
      "lib/report/summary.ts",
      'import type { P } from "../engine/types.ts";\nexport type S = P;\n',
    );
    await write("lib/engine/types.ts", "export type P = number;\n");
    await write("lib/engine/mod.ts", 'export * from "./types.ts";\n');
    const root = new URL(`file://${dir}/`).href;
    const { edges, modFolders } = await repositoryGraph(root, ["lib"]);
    assertEquals(modFolders, ["lib/engine"]);
    const messages = checkLayers(edges, { modFolders }).map((v) => `[${v.rule}] ${v.message}`);
    assertEquals(messages, [
      "[cycle] import cycle between lib/engine, lib/report:\n" +
      "  lib/engine/prompts.ts:1 imports lib/report/numbers.ts\n" +
      "  lib/report/summary.ts:1 imports lib/engine/types.ts",
      "[around-mod] lib/report/summary.ts:1 imports lib/engine/types.ts: import " +
      "lib/engine/mod.ts instead",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
