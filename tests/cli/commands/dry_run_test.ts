import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../../_helpers/assert.ts";
import { capturedContext } from "../../_helpers/cli_context.ts";
import { runAnalyzeDryRun, runBaselineDryRun } from "../../../lib/cli/commands/dry_run.ts";
import type { AnalyzeOptions, BaselineOptions } from "../../../lib/cli/options.ts";
import { estimateTokens } from "../../../lib/loader/mod.ts";
import { BASELINE_SYSTEM_PROMPT } from "../../../lib/baseline/mod.ts";
import { UsageError } from "../../../lib/errors.ts";
import { runCliProcess } from "../../_helpers/run_cli.ts";
import {
  FIXTURE_BUDGET,
  FIXTURE_FILES,
  MEDIUM,
  SMALL,
  writeFixture,
} from "../../baseline/_fixture.ts";

function analyzeOptions(source: string, extra: Partial<AnalyzeOptions> = {}): AnalyzeOptions {
  return {
    source,
    outputDir: `${source}/../out`,
    quiet: true,
    rootModel: "sonnet",
    subModel: "minimax/minimax-m2.5",
    cache: true,
    plugins: [],
    maxTurns: 20,
    concurrency: 5,
    execTimeoutSeconds: 300,
    promptCache: true,
    dryRun: true,
    json: true,
    ...extra,
  };
}

function baselineOptions(source: string, extra: Partial<BaselineOptions> = {}): BaselineOptions {
  return {
    source,
    outputDir: `${source}/../out`,
    quiet: true,
    rootModel: "sonnet",
    subModel: "minimax/minimax-m2.5",
    cache: true,
    plugins: [],
    maxChars: FIXTURE_BUDGET,
    dryRun: true,
    json: true,
    ...extra,
  };
}

/** The fixture plus one too-large file and one binary file; no API keys anywhere. */
async function setup(): Promise<{ tmp: string; repo: string }> {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_dryrun_" });
  const repo = await writeFixture(`${tmp}/repo`);
  await Deno.writeTextFile(`${repo}/pkg/huge.py`, "z = 0\n".repeat(100_000));
  await Deno.writeFile(`${repo}/logo.png`, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]));
  return { tmp, repo };
}

function context(tmp: string) {
  return capturedContext(tmp, { XDG_CONFIG_HOME: `${tmp}/config` });
}

Deno.test("analyze --dry-run --json lists files with status and estimates from the content", async () => {
  const { tmp, repo } = await setup();
  try {
    const ctx = context(tmp);
    assertEquals(await runAnalyzeDryRun(analyzeOptions(repo), ctx), 0);
    const json = JSON.parse(ctx.out.join("\n"));
    assertEquals(json.metadata.repo_name, "repo");
    const status = Object.fromEntries(
      json.files.map((f: { path: string; status: string }) => [f.path, f.status]),
    );
    assertEquals(status["pkg/huge.py"], "too_large");
    assertEquals(status["main.py"], "included");
    assertEquals(status["logo.png"], undefined);
    assert(json.skipped.some((s: { path: string }) => s.path === "logo.png"));

    const e = json.estimate;
    const contentTokens = Object.values(FIXTURE_FILES)
      .reduce((n, c) => n + estimateTokens(c.length), 0);
    assertEquals(e.sub.content_tokens, contentTokens);
    assert(e.root.prefix_tokens > 1_000, `prefix ${e.root.prefix_tokens}`);
    assertEquals(e.root.low.turns, 3);
    assertEquals(e.root.high.turns, 8);
    assert(e.cost.low > 0 && e.cost.low < e.cost.high, JSON.stringify(e.cost));
    assertEquals(json.models.root.pricing_known, true);
    assertEquals(json.models.sub.label, "openrouter:minimax/minimax-m2.5");
    assert(e.assumptions.length >= 4);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("analyze --dry-run counts with the real tokenizer for an OpenAI root model", async () => {
  const { tmp, repo } = await setup();
  try {
    const ctx = context(tmp);
    await runAnalyzeDryRun(analyzeOptions(repo, { rootModel: "openai:gpt-4o", maxTurns: 2 }), ctx);
    const e = JSON.parse(ctx.out.join("\n")).estimate;
    assertEquals(e.tokenizers, { root: "o200k_base", sub: "chars/token ratio" });
    assertEquals(e.root.high.turns, 2);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("analyze --dry-run prints a readable summary with the cost range", async () => {
  const { tmp, repo } = await setup();
  try {
    const ctx = context(tmp);
    await runAnalyzeDryRun(analyzeOptions(repo, { json: false }), ctx);
    const text = ctx.out.join("\n");
    assertStringIncludes(text, "no model was called");
    assertStringIncludes(text, "too large: pkg/huge.py");
    assertStringIncludes(text, "skipped (binary): logo.png");
    assertStringIncludes(text, "Estimated cost: $");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("baseline --dry-run --json marks excluded files and prices the exact prompt", async () => {
  const { tmp, repo } = await setup();
  try {
    const ctx = context(tmp);
    assertEquals(await runBaselineDryRun(baselineOptions(repo), ctx), 0);
    const json = JSON.parse(ctx.out.join("\n"));
    const byStatus = (s: string) =>
      json.files.filter((f: { status: string }) => f.status === s).map((f: { path: string }) =>
        f.path
      );
    assertEquals(byStatus("included"), ["main.py", ...SMALL]);
    assertEquals(byStatus("excluded"), MEDIUM);
    assertEquals(byStatus("too_large"), ["pkg/huge.py"]);
    assert(json.prompt.chars <= FIXTURE_BUDGET, `${json.prompt.chars} > --max-chars`);
    const e = json.estimate;
    assertEquals(
      e.input_tokens,
      estimateTokens(BASELINE_SYSTEM_PROMPT.length) + estimateTokens(json.prompt.chars),
    );
    assertEquals(e.exact_tokens, false);
    assert(e.cost.low < e.cost.high);
    assert(e.input_cost > 0 && e.input_cost < e.cost.low);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("dry runs resolve models first and fail with a usage error for an unknown one", async () => {
  const { tmp, repo } = await setup();
  try {
    await assertRejects(
      () => runBaselineDryRun(baselineOptions(repo, { rootModel: "nosuch:model-x" }), context(tmp)),
      UsageError,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("analyze and baseline --dry-run run through the CLI with no API key and no model server", async () => {
  const { tmp, repo } = await setup();
  try {
    for (const command of ["analyze", "baseline"]) {
      const result = await runCliProcess([command, repo, "--dry-run", "--json"], {
        cwd: tmp,
        env: { XDG_CONFIG_HOME: `${tmp}/config`, DEEPREPO_CACHE_DIR: `${tmp}/cache` },
      });
      assertEquals(result.code, 0, `${command}: ${result.stderr}`);
      const json = JSON.parse(result.stdout);
      assertEquals(Object.keys(json).filter((k) => ["metadata", "files", "estimate"].includes(k)), [
        "metadata",
        "files",
        "estimate",
      ]);
      assert(json.estimate.cost.high > 0);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("analyze --dry-run notes when --max-cost is below the high estimate", async () => {
  const { tmp, repo } = await setup();
  try {
    const ctx = context(tmp);
    await runAnalyzeDryRun(analyzeOptions(repo, { maxCost: 0.2 }), ctx);
    const e = JSON.parse(ctx.out.join("\n")).estimate;
    assert(e.cost.high > 0.2, JSON.stringify(e.cost));
    assertStringIncludes(e.assumptions.join("\n"), "--max-cost $0.2000 is below the high estimate");
    // Below the floor the real run checks, the dry run says the run would be refused.
    const tiny = context(tmp);
    await runAnalyzeDryRun(analyzeOptions(repo, { maxCost: 0.001 }), tiny);
    const t = JSON.parse(tiny.out.join("\n")).estimate.assumptions.join("\n");
    assertStringIncludes(t, "--max-cost $0.0010 is below the $");
    assertStringIncludes(t, "the real run would refuse it (exit 2)");
    const generous = context(tmp);
    await runAnalyzeDryRun(analyzeOptions(repo, { maxCost: 1_000 }), generous);
    const g = JSON.parse(generous.out.join("\n")).estimate;
    assert(!g.assumptions.join("\n").includes("--max-cost"));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("baseline --dry-run prints each file's status in sending order and the cost", async () => {
  const { tmp, repo } = await setup();
  try {
    const ctx = context(tmp);
    assertEquals(await runBaselineDryRun(baselineOptions(repo, { json: false }), ctx), 0);
    const text = ctx.out.join("\n");
    assertStringIncludes(text, "no model was called");
    assertStringIncludes(text, "Prompt: 4 files sent, 3 excluded");
    const rows = ctx.out.filter((l) => /^ {2}(included|excluded|too_large) /.test(l))
      .map((l) => l.trim().split(/\s+/));
    assertEquals(rows.map((r) => [r[0], r[2]]), [
      ...["main.py", ...SMALL].map((p) => ["included", p]),
      ...MEDIUM.map((p) => ["excluded", p]),
      ["too_large", "pkg/huge.py"],
    ]);
    assertEquals(rows.at(-1)![1], "-", "nothing of a too-large file is sent");
    assertEquals(rows[0][1], FIXTURE_FILES["main.py"].length.toLocaleString("en-US"));
    assertStringIncludes(text, "Estimated cost: $");
    assertStringIncludes(text, "(16,384, the limit)");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("analyze --dry-run counts a huge file tree as the folder summary the engine sends", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_dryrun_" });
  try {
    const repo = `${tmp}/repo`;
    for (const folder of ["alpha", "beta"]) {
      await Deno.mkdir(`${repo}/src/${folder}`, { recursive: true });
      for (let i = 0; i < 1_000; i++) {
        const name = `module_with_a_rather_long_descriptive_name_${i}.py`;
        await Deno.writeTextFile(`${repo}/src/${folder}/${name}`, `x = ${i}\n`);
      }
    }
    const ctx = context(tmp);
    assertEquals(await runAnalyzeDryRun(analyzeOptions(repo), ctx), 0);
    const e = JSON.parse(ctx.out.join("\n")).estimate;
    // The whole tree is over 100,000 characters (25,000+ tokens); the summary is a few lines.
    assert(e.root.prefix_tokens < 10_000, `prefix ${e.root.prefix_tokens} tokens`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
