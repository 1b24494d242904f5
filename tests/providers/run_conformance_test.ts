/**
 * Provider conformance of whole runs: every built-in plugin's default root, sub and baseline
 * model runs the real CLI (subprocess, real plugins and SDKs, real sandbox) against the fake
 * model server, which follows each model's published rules. Each run must end with exit 0 and
 * not one refused request:
 *
 * - an analyze that ends by `set_answer`, going through a plain-text turn (nudged), a turn of
 *   fenced code, tool calls, and a sub answer cut by the output limit;
 * - an analyze that reaches `--max-turns`;
 * - an analyze stopped by `--max-cost` (not for the free local models);
 * - a baseline with the plugin's baseline model.
 */
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";
import {
  assistantTurns,
  fakeRulesOf,
  type FakeServer,
  type RecordedRequest,
  type ScriptedResponse,
  startFakeModelServer,
} from "../fakes/model_server.ts";
import { outputLimit } from "../fakes/rules.ts";

const FIXTURE = new URL("../fixtures/sample_project", import.meta.url).pathname;

interface Combo {
  /** What the test is called. */
  name: string;
  root: string;
  sub: string;
  /** Baseline model, when this combo's provider brings its own. */
  baseline?: string;
  /** Whether spend can reach a budget (false for the free local models). */
  paid: boolean;
}

const COMBOS: Combo[] = [
  // The CLI defaults: Sonnet 5.5 root, MiniMax M2.5 (OpenRouter) sub, Opus 5.5 baseline.
  { name: "defaults", root: "sonnet", sub: "minimax", baseline: "opus", paid: true },
  { name: "anthropic", root: "anthropic", sub: "anthropic", paid: true },
  {
    name: "openai",
    root: "openai",
    sub: "openai",
    baseline: "openai:gpt-6.1-sol",
    paid: true,
  },
  {
    name: "ollama",
    root: "ollama",
    sub: "ollama",
    baseline: "ollama:qwen3-coder:30b",
    paid: false,
  },
];

const EXPLORE = "const paths = Object.keys(codebase).sort();\nprint(paths.join('\\n'));";
const DISPATCH = "const reviews = await llm_batch(paths.map((p) => " +
  "'Review this file. Cite lines.\\nFile: ' + p + '\\n' + codebase[p]));\n" +
  "print(reviews.length, 'reviews');";
const SUBMIT = "set_answer('# Report\\n\\n' + paths.map((p, i) => '- ' + p + ': ' + reviews[i])" +
  ".join('\\n'));";

function call(code: string, usage?: ScriptedResponse["usage"]): ScriptedResponse {
  return { toolCalls: [{ name: "execute_code", input: { code } }], ...(usage ? { usage } : {}) };
}

/** Root requests carry the `execute_code` tool; sub-model and baseline requests carry none. */
function isRoot(req: RecordedRequest): boolean {
  return Array.isArray(req.body.tools) && req.body.tools.length > 0;
}

/**
 * Sub answers: the first answer about `src/db.ts` is cut by the output limit (its reasoning
 * uses the whole limit on a model that reasons; a `length` stop elsewhere), the retry answers.
 */
function subAnswers(): (req: RecordedRequest) => ScriptedResponse {
  let dbAsked = 0;
  return (req) => {
    const body = JSON.stringify(req.body);
    if (body.includes("SELECT * FROM notes") && dbAsked++ === 0) {
      const limit = outputLimit(req) ?? 4096;
      return fakeRulesOf(req.model)?.alwaysThinks
        ? { thinking: "reading the query", reasoningTokens: limit, text: "src/db.ts:15 SQL" }
        : {
          text: "src/db.ts:15 SQL",
          stopReason: req.api === "messages" ? "max_tokens" : "length",
        };
    }
    const finding = body.includes("SELECT * FROM notes")
      ? "src/db.ts:15 SQL injection: owner concatenated into the query"
      : body.includes("ADMIN_TOKEN")
      ? "src/auth.ts:2 hard-coded secret"
      : "no issues";
    return { text: finding, usage: { input: 400, output: 60 } };
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  report: string;
  metrics: Record<string, unknown>;
}

async function withServer(fn: (server: FakeServer, dir: string) => Promise<void>) {
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_conformance_" });
  try {
    await fn(server, dir);
    server.assertNoFailures();
    assertEquals(server.refusals, [], "requests the real API would refuse");
    assertEquals(server.droppedReasoning, [], "reasoning not sent back with its turn");
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function cli(server: FakeServer, dir: string, args: string[]): Promise<Run> {
  const out = await runCliProcess([...args, FIXTURE, "-q", "-o", `${dir}/out`], {
    cwd: dir,
    env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
  });
  const reportPath = out.stdout.trim().split("\n").at(-1) ?? "";
  const read = (path: string) => Deno.readTextFile(path).catch(() => "");
  const metrics = await read(reportPath.replace(/\.md$/, "_metrics.json"));
  return {
    ...out,
    report: reportPath.endsWith(".md") ? await read(reportPath) : "",
    metrics: metrics ? JSON.parse(metrics) : {},
  };
}

for (const combo of COMBOS) {
  const models = ["--root-model", combo.root, "--sub-model", combo.sub];

  Deno.test(`conformance ${combo.name}: plain text, fenced code, tool calls, a cut sub answer, set_answer`, async () => {
    await withServer(async (server, dir) => {
      const script: ScriptedResponse[] = [
        { text: "First I will look around the repository." },
        { text: "Listing the files:\n\n```js\n" + EXPLORE + "\n```" },
        call(DISPATCH),
        call(SUBMIT),
      ];
      const sub = subAnswers();
      server.handler((req) => isRoot(req) ? script[assistantTurns(req)] : sub(req));
      const run = await cli(server, dir, ["analyze", ...models]);
      assertEquals(run.code, 0, run.stderr);
      assertEquals(run.metrics.complete, true, run.stderr);
      assertStringIncludes(run.report, "src/db.ts: src/db.ts:15 SQL");
      const roots = server.requests.filter(isRoot);
      assertEquals(roots.length, 4);
      // The cut answer was retried with a larger limit where the model publishes one, else
      // kept and marked truncated.
      const dbCalls = server.requests.filter((r) =>
        !isRoot(r) && JSON.stringify(r.body).includes("SELECT * FROM notes")
      );
      const retried = dbCalls.length === 2;
      assertEquals(run.metrics.sub_truncated, retried ? 0 : 1);
      if (retried) {
        assert(outputLimit(dbCalls[1])! > outputLimit(dbCalls[0])!, "the retry asks for more");
        assertStringIncludes(run.report, "SQL injection");
      } else {
        assertStringIncludes(run.report, "TRUNCATED");
      }
    });
  });

  Deno.test(`conformance ${combo.name}: a run that reaches --max-turns ends with exit 0`, async () => {
    await withServer(async (server, dir) => {
      const sub = subAnswers();
      server.handler((req) => isRoot(req) ? call(EXPLORE) : sub(req));
      const run = await cli(server, dir, ["analyze", ...models, "--max-turns", "3"]);
      assertEquals(run.code, 0, run.stderr);
      assertEquals([run.metrics.complete, run.metrics.stop_reason], [false, "max_turns"]);
      assertEquals(server.requests.filter(isRoot).length, 3);
    });
  });

  if (combo.paid) {
    Deno.test(`conformance ${combo.name}: a run stopped by --max-cost ends with exit 0`, async () => {
      await withServer(async (server, dir) => {
        const sub = subAnswers();
        const usage = { input: 40_000, output: 4_000 };
        server.handler((req) => isRoot(req) ? call(EXPLORE, usage) : sub(req));
        const run = await cli(server, dir, ["analyze", ...models, "--max-cost", "1"]);
        assertEquals(run.code, 0, run.stderr);
        assertEquals([run.metrics.complete, run.metrics.budget_stopped], [false, true]);
        assert((run.metrics.total_cost as number) <= 1.2, String(run.metrics.total_cost));
      });
    });
  }

  if (combo.baseline) {
    const baseline = combo.baseline;
    Deno.test(`conformance ${combo.name}: a baseline with ${baseline}`, async () => {
      await withServer(async (server, dir) => {
        server.handler(() => ({ text: "# Baseline\n\nsrc/db.ts:15 SQL injection." }));
        const run = await cli(server, dir, ["baseline", "--root-model", baseline]);
        assertEquals(run.code, 0, run.stderr);
        assertStringIncludes(run.report, "SQL injection");
        assertEquals(server.requests.length, 1);
      });
    });
  }
}
