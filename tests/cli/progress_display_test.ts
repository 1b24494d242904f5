/**
 * The progress display (#16 items 6, 7, 9): a bar with rate, time left, elapsed time and spend
 * while a batch runs, one file count, lines fitted to the terminal, plain milestone lines when
 * not a terminal, and the live line cleared before an error line.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { capturedContext } from "../_helpers/cli_context.ts";
import { clearLiveLine, createProgress } from "../../lib/cli/progress.ts";
import { bar, engineStatusLine, formatDuration, RateMeter } from "../../lib/cli/engine_status.ts";
import { displayWidth } from "../../lib/cli/width.ts";
import type { EngineProgress } from "../../lib/engine/types.ts";
import { MAIN, runCliProcess } from "../_helpers/run_cli.ts";
import { hasScript, runInPty, shellQuote } from "../_helpers/pty.ts";
import { type FakeServer, startFakeModelServer } from "../fakes/model_server.ts";

const BATCH: EngineProgress = {
  phase: "exec",
  turn: 3,
  maxTurns: 20,
  subDone: 120,
  subRequested: 400,
  cacheHits: 5,
  filesCovered: 130,
  filesEligible: 174,
  spentUsd: 0.1234,
  budgetUsd: 2,
};

Deno.test("a running batch shows a bar, done/total, rate, time left, files sent, elapsed and spend", () => {
  const line = engineStatusLine(BATCH, { elapsedMs: 72_000, rate: 4, columns: 160 });
  assertEquals(
    line,
    "turn 3/20 · running code · sub-calls ████░░░░░░░░░░░ 120/400 (5 cached) · 4.0/s · " +
      "1m10s left · files 130/174 sent · 1m12s · $0.1234 of $2.00",
  );
});

Deno.test("the status line fits narrow terminals by dropping the least useful parts first", () => {
  for (const columns of [100, 80, 60, 40]) {
    const line = engineStatusLine(BATCH, { elapsedMs: 72_000, rate: 4, columns });
    assert(displayWidth(line) < columns, `${columns}: ${line}`);
    assertStringIncludes(line, "turn 3/20");
  }
  assertMatch(
    engineStatusLine(BATCH, { elapsedMs: 1, rate: 4, columns: 80 }),
    /120\/400.*\$0\.1234/,
  );
  const idle = engineStatusLine({ ...BATCH, subDone: 400, phase: "root" }, {
    elapsedMs: 5000,
    rate: 4,
    columns: 120,
  });
  assertEquals(
    idle,
    "turn 3/20 · root model · sub-calls 400/400 (5 cached) · files 130/174 sent · 5s · $0.1234 of $2.00",
  );
});

Deno.test("bar, durations and the answer rate", () => {
  assertEquals(bar(0, 10, 5), "░░░░░");
  assertEquals(bar(5, 10, 4), "██░░");
  assertEquals(bar(10, 10, 4), "████");
  assertEquals([formatDuration(42_000), formatDuration(75_000), formatDuration(3_725_000)], [
    "42s",
    "1m15s",
    "1h02m",
  ]);
  const meter = new RateMeter();
  assertEquals(meter.rate(0), undefined);
  meter.add(0, 0);
  meter.add(1000, 4);
  meter.add(2000, 8);
  assertEquals(meter.rate(2000), 4);
  assertEquals(meter.rate(4000), 2, "a stalled batch shows a falling rate");
});

Deno.test("clearLiveLine removes the live line so an error starts its own line", () => {
  const ctx = { ...capturedContext("/tmp"), isTerminal: true };
  const progress = createProgress(ctx, { quiet: false, columns: 80 });
  progress.status("scanning 0/0", true);
  clearLiveLine(ctx);
  ctx.stderr("deeprepo: --max-cost too low\n");
  assertEquals(ctx.errText(), "\r\x1b[2Kscanning 0/0\r\x1b[2Kdeeprepo: --max-cost too low\n");
  clearLiveLine(capturedContext("/tmp")); // no live line: nothing to do
});

Deno.test("message lines wrap at word boundaries to the terminal's width", () => {
  const ctx = { ...capturedContext("/tmp"), isTerminal: true };
  const progress = createProgress(ctx, { quiet: false, columns: 40 });
  progress.line("analysis complete: 1 turn, 6 sub-model calls (0 from cache, 0 failed)");
  assertEquals(
    ctx.errText(),
    "analysis complete: 1 turn, 6 sub-model\ncalls (0 from cache, 0 failed)\n",
  );
});

function turnOf(req: { body: Record<string, unknown> }): number {
  return ((req.body.messages ?? []) as { role: string }[]).filter((m) => m.role === "assistant")
    .length + 1;
}

async function withServer(fn: (server: FakeServer, dir: string) => Promise<void>) {
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_progress_" });
  try {
    const code = "const r = await llm_batch(Object.keys(codebase).map((p) => " +
      "'Review ' + p + '\\n' + codebase[p]));\nset_answer('# R\\n' + r.join('\\n'));";
    server.handler(
      (req) => ({
        toolCalls: [{ name: "execute_code", input: { code: turnOf(req) === 1 ? code : "" } }],
        usage: { input: 1000, output: 100 },
      }),
      "anthropic",
    );
    server.handler(
      () => ({ text: "fine", usage: { input: 100, output: 10 }, latencyMs: 250 }),
      "openai",
    );
    await fn(server, dir);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** What the terminal showed, one redraw or line each. */
function frames(screen: string): string[] {
  return screen.split("\r\n").flatMap((line) => line.split("\r\x1b[2K"));
}

const FIXTURE = new URL("../fixtures/sample_project", import.meta.url).pathname;

Deno.test("on a terminal: a live bar with rate and time left; errors start their own line", async () => {
  if (!await hasScript()) {
    console.log("skipped: util-linux `script` is not installed (no pseudo-terminal)");
    return;
  }
  await withServer(async (server, dir) => {
    const env = { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache`, NO_COLOR: "1" };
    const base = ["deno", "run", "-q", "-A", MAIN, "analyze", FIXTURE, "-o", `${dir}/out`];
    const run = await runInPty(
      [...base, "--concurrency", "1", "--no-cache"].map(shellQuote).join(" "),
      { env, columns: 100 },
    );
    assertEquals(run.code, 0, run.screen);
    const shown = frames(run.screen);
    const bars = shown.filter((f) =>
      /sub-calls [█░]+ \d\/6 · [\d.]+\/s · \d+s left · files \d\/6 sent/.test(f)
    );
    assert(bars.length > 0, JSON.stringify(shown));
    for (const frame of shown) assert(displayWidth(frame) < 100, frame);
    assertStringIncludes(run.screen, "Analyzing sample_project: 6 files for sub-model review");

    const low = await runInPty([...base, "--max-cost", "0.001"].map(shellQuote).join(" "), { env });
    assertEquals(low.code, 2);
    const errorFrame = frames(low.screen).find((f) => f.includes("--max-cost"));
    assertMatch(errorFrame ?? "", /^deeprepo: --max-cost \$0\.0010 is below/);
  });
});

Deno.test("not on a terminal: plain milestone lines, no bar, no control characters", async () => {
  await withServer(async (server, dir) => {
    const run = await runCliProcess(["analyze", FIXTURE, "-o", `${dir}/out`, "--no-cache"], {
      env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
    });
    assertEquals(run.code, 0, run.stderr);
    assert(!run.stderr.includes("\x1b") && !run.stderr.includes("\r"), run.stderr);
    assert(!run.stderr.includes("█"), run.stderr);
    assertMatch(run.stderr, /^turn 1\/20 · running code · sub-calls 6\/6 · files 6\/6 sent · /m);
  });
});
