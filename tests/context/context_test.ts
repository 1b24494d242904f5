import { assert, assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import {
  buildContext,
  folderMap,
  projectCommands,
  writeContextFile,
} from "../../lib/context/mod.ts";
import { contextBody } from "../../lib/context/render.ts";
import { EnvironmentError } from "../../lib/errors.ts";
import { fingerprint } from "../../lib/freshness/mod.ts";
import { loadCodebase } from "../../lib/loader/mod.ts";
import type { CompletionRequest, ModelClient } from "../../lib/providers/types.ts";
import { withTempDir, writeTree } from "../loader/_fixture.ts";

Deno.test("projectCommands() reads scripts, tasks, targets, tools and CI steps exactly", () => {
  const commands = projectCommands({
    "package.json": JSON.stringify({ scripts: { test: "vitest", build: "tsc", lint: "eslint ." } }),
    "deno.json": '{ // comment\n "tasks": { "check": "deno check ." } }',
    "Makefile": "VAR := 1\nall: build\nbuild:\n\tgo build\n.PHONY: all\n",
    "pyproject.toml": "[tool.pytest.ini_options]\naddopts='-q'\n[tool.ruff]\nline-length=100\n",
    ".github/workflows/ci.yml":
      "jobs:\n  t:\n    steps:\n      - run: |\n          npm ci\n          npm test\n",
  }, ["package.json", "pnpm-lock.yaml"]);
  const list = commands.map((c) => `${c.kind} ${c.command} (${c.source})`);
  assertEquals(list, [
    "test pnpm run test (package.json)",
    "build pnpm run build (package.json)",
    "lint pnpm run lint (package.json)",
    "lint deno task check (deno.json)",
    "other make all (Makefile)",
    "build make build (Makefile)",
    "test pytest (pyproject.toml)",
    "lint ruff check . (pyproject.toml)",
    "other npm ci (.github/workflows/ci.yml)",
    "test npm test (.github/workflows/ci.yml)",
  ]);
});

Deno.test("folderMap() counts files per folder and splits large folders", () => {
  const files = [
    ...Array.from({ length: 45 }, (_, i) => `src/${i % 2 ? "server" : "client"}/f${i}.ts`),
    "README.md",
    "docs/guide.md",
  ].map((path) => ({ path, chars: 1, bytes: 1, status: "included" as const }));
  const map = folderMap(files);
  assertEquals(map.map((e) => `${e.folder} ${e.files} ${e.types.join(",")}`), [
    ". 1 .md",
    "docs/ 1 .md",
    "src/ 45 .ts",
    "src/client/ 23 .ts",
    "src/server/ 22 .ts",
  ]);
});

Deno.test("contextBody() cuts the model's part first to stay within --max-tokens", () => {
  const count = (t: string) => Math.ceil(t.length / 4);
  const condensed = Array.from({ length: 50 }, (_, i) => `- point ${i} about the code`).join("\n");
  const body = contextBody(
    { provenance: "_p_", facts: "## Commands\n\n- test", condensed },
    200,
    count,
  );
  assert(count(body) <= 200, `${count(body)} tokens`);
  assertMatch(body, /## Commands/);
  assertMatch(body, /shortened to fit --max-tokens/);
});

function scriptedClient(reply: string, seen: CompletionRequest[]): ModelClient {
  return {
    complete(req) {
      seen.push(req);
      return Promise.resolve({
        text: reply,
        toolCalls: [],
        usage: { inputTokens: 900, outputTokens: 80 },
      });
    },
  };
}

Deno.test("buildContext() makes one model call and checks its citations against the snapshot", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, {
      "src/auth.ts": "export function login() {\n  return eval(input);\n}\n",
      "package.json": JSON.stringify({ scripts: { test: "node --test" } }),
    });
    const { snapshot } = await loadCodebase(dir, { cwd: dir });
    const previous = {
      metricsPath: `${dir}/out/deeprepo_x_20261201_100000_metrics.json`,
      reportPath: `${dir}/out/deeprepo_x_20261201_100000.md`,
      metrics: {},
      fingerprint: await fingerprint(snapshot),
      timestamp: "20261201_100000",
    };
    const seen: CompletionRequest[] = [];
    const reply = "## Architecture\n\n- Auth in src/auth.ts:2 — `return eval(input);`\n" +
      "\n## Pitfalls\n\n- See src/gone.ts:9\n";
    const result = await buildContext({
      snapshot,
      previous,
      report: "# Report\n\neval in src/auth.ts:2\n",
      format: "cursor",
      maxTokens: 2000,
      count: (t) => Math.ceil(t.length / 4),
      client: scriptedClient(reply, seen),
    });
    assertEquals(seen.length, 1);
    assertMatch(String(seen[0].messages[0].content), /eval in src\/auth\.ts:2/);
    assertMatch(result.body, /- test: `npm test` \(package\.json\)/);
    assertMatch(result.body, /src\/auth\.ts:2/);
    assertMatch(result.body, /⚠ unverified: `src\/gone\.ts:9`/);
    assertEquals(result.citations?.citations_verified, 1);
    assertEquals(result.file, ".cursor/rules/deeprepo.mdc");
    assertMatch(result.header, /^---\n[\s\S]*alwaysApply: true\n---/);
  });
});

Deno.test("writeContextFile() keeps text outside the block and never follows a symlink", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/AGENTS.md`, "# Ours\n\nHand-written.\n");
    await writeContextFile(dir, "AGENTS.md", "Body.\n", "deeprepo_x_1", "");
    const text = await Deno.readTextFile(`${dir}/AGENTS.md`);
    assert(text.startsWith("# Ours\n\nHand-written.\n\n<!-- deeprepo:begin from=deeprepo_x_1 "));

    const outside = `${dir}/outside.txt`;
    await Deno.writeTextFile(outside, "precious\n");
    await Deno.symlink(outside, `${dir}/CLAUDE.md`);
    await assertRejects(
      () => writeContextFile(dir, "CLAUDE.md", "Body.\n", "x", ""),
      EnvironmentError,
      "not a regular file",
    );
    await Deno.mkdir(`${dir}/elsewhere`);
    await Deno.symlink(`${dir}/elsewhere`, `${dir}/.github`);
    await assertRejects(
      () => writeContextFile(dir, ".github/copilot-instructions.md", "B\n", "x", ""),
      EnvironmentError,
      "not a plain folder",
    );
    assertEquals(await Deno.readTextFile(outside), "precious\n");
    assertEquals([...Deno.readDirSync(`${dir}/elsewhere`)].length, 0);
  });
});

Deno.test("writeContextFile() refuses a read-only file and a hand-edited block, writing nothing", async () => {
  await withTempDir(async (dir) => {
    await writeContextFile(dir, "AGENTS.md", "Body.\n", "x", "");
    const edited = (await Deno.readTextFile(`${dir}/AGENTS.md`)).replace("Body.", "Mine.");
    await Deno.writeTextFile(`${dir}/AGENTS.md`, edited);
    await assertRejects(
      () => writeContextFile(dir, "AGENTS.md", "New.\n", "y", ""),
      EnvironmentError,
      "edited by hand",
    );
    assertEquals(await Deno.readTextFile(`${dir}/AGENTS.md`), edited);
    await Deno.writeTextFile(`${dir}/CLAUDE.md`, "x\n");
    await Deno.chmod(`${dir}/CLAUDE.md`, 0o444);
    await assertRejects(
      () => writeContextFile(dir, "CLAUDE.md", "New.\n", "y", ""),
      EnvironmentError,
      "read-only",
    );
  });
});
