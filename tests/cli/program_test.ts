import { assert, assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import { MAX_EXEC_TIMEOUT_SECONDS, parseArgs } from "../../lib/cli/program.ts";
import { DEFAULTS } from "../../lib/defaults.ts";
import { runCli } from "../../lib/cli/main.ts";
import { UsageError } from "../../lib/errors.ts";
import { VERSION } from "../../lib/version.ts";
import { capturedContext } from "../_helpers/cli_context.ts";

const cwd = "/home/user/work";

function sink() {
  const out: string[] = [];
  return { io: { out: (t: string) => out.push(t) }, out };
}

async function parse(...argv: string[]) {
  return await parseArgs(argv, cwd, sink().io);
}

async function usageError(...argv: string[]): Promise<string> {
  const error = await assertRejects(() => parse(...argv), UsageError);
  assert(!error.message.includes("\n"), `one line expected, got: ${error.message}`);
  return error.message;
}

Deno.test("analyze parses with contract defaults and resolves paths against the user's cwd", async () => {
  const inv = await parse("analyze", "../repo");
  assertEquals(inv.command, "analyze");
  if (inv.command !== "analyze") return;
  assertEquals(inv.options, {
    source: "/home/user/repo",
    outputDir: "/home/user/work/outputs",
    quiet: false,
    rootModel: DEFAULTS.rootModel,
    subModel: DEFAULTS.subModel,
    cache: true,
    plugins: [],
    reloadPlugins: false,
    include: [],
    exclude: [],
    redact: true,
    maxTurns: 20,
    concurrency: 5,
    maxCost: undefined,
    execTimeoutSeconds: 300,
    promptCache: true,
    dryRun: false,
    format: "both",
    json: false,
  });
});

Deno.test("analyze accepts every option and keeps git URLs as they are", async () => {
  const inv = await parse(
    "analyze",
    "https://github.com/o/r.git",
    "-o",
    "out",
    "-q",
    "--root-model",
    "openai:gpt-4.1",
    "--sub-model",
    "haiku",
    "--no-cache",
    "--plugin",
    "./p.ts",
    "--plugin",
    "https://example.test/q.ts",
    "--max-turns",
    "7",
    "--concurrency",
    "10",
    "--max-cost",
    "0.5",
    "--exec-timeout",
    "30",
    "--no-prompt-cache",
    "--dry-run",
    "--json",
  );
  if (inv.command !== "analyze") throw new Error(inv.command);
  assertEquals(inv.options.source, "https://github.com/o/r.git");
  assertEquals(inv.options.outputDir, "/home/user/work/out");
  assertEquals(inv.options.quiet, true);
  assertEquals(inv.options.rootModel, "openai:gpt-4.1");
  assertEquals(inv.options.subModel, "haiku");
  assertEquals(inv.options.cache, false);
  assertEquals(inv.options.plugins, ["/home/user/work/p.ts", "https://example.test/q.ts"]);
  assertEquals(inv.options.maxTurns, 7);
  assertEquals(inv.options.concurrency, 10);
  assertEquals(inv.options.maxCost, 0.5);
  assertEquals(inv.options.execTimeoutSeconds, 30);
  assertEquals(inv.options.promptCache, false);
  assertEquals(inv.options.dryRun, true);
  assertEquals(inv.options.json, true);
});

Deno.test("analyze, baseline, compare and repl take --include, --exclude and --no-redact", async () => {
  for (const command of ["analyze", "baseline", "compare", "repl"]) {
    const inv = await parse(
      command,
      "/r",
      "--include",
      "src/**",
      "--include",
      "*.md",
      "--exclude",
      "**/*.test.ts",
      "--no-redact",
    );
    if (inv.command !== command || !("options" in inv)) throw new Error(inv.command);
    const options = inv.options as { include?: string[]; exclude?: string[]; redact?: boolean };
    assertEquals(options.include, ["src/**", "*.md"], command);
    assertEquals(options.exclude, ["**/*.test.ts"], command);
    assertEquals(options.redact, false, command);
  }
});

Deno.test("baseline, compare and repl parse their own options", async () => {
  const b = await parse("baseline", "/r", "--max-chars", "5000", "--dry-run");
  if (b.command !== "baseline") throw new Error(b.command);
  assertEquals([b.options.maxChars, b.options.dryRun, b.options.rootModel], [5000, true, "sonnet"]);

  const c = await parse("compare", "git@host:o/r.git", "--baseline-model", "haiku", "--json");
  if (c.command !== "compare") throw new Error(c.command);
  assertEquals(c.options.baselineModel, "haiku");
  assertEquals(c.options.source, "git@host:o/r.git");
  assertEquals(c.options.maxChars, 180_000);
  assertEquals(c.options.json, true);
  const c2 = await parse("compare", "/r");
  if (c2.command !== "compare") throw new Error(c2.command);
  assertEquals(c2.options.baselineModel, "opus");

  const r = await parse("repl", ".", "--eval", "print(1)", "--eval", "print(2)");
  if (r.command !== "repl") throw new Error(r.command);
  assertEquals(r.options.evals, ["print(1)", "print(2)"]);
  assertEquals(r.options.source, "/home/user/work");
});

Deno.test("list-models, cache, plugins and trust subcommands parse", async () => {
  assertEquals(await parse("trust", ".env", "../x/deeprepo.json"), {
    command: "trust",
    options: {
      files: ["/home/user/work/.env", "/home/user/x/deeprepo.json"],
      list: false,
      revoke: false,
    },
  });
  assertEquals((await parse("trust", "--list")).command, "trust");
  assertEquals(
    await usageError("trust", "--list", "--revoke"),
    "trust: --list and --revoke exclude each other",
  );
  const reload = await parse("analyze", ".", "--reload-plugins");
  assertEquals(reload.command === "analyze" && reload.options.reloadPlugins, true);
  assertEquals(await parse("list-models", "--json"), {
    command: "list-models",
    options: { json: true, plugins: [], reloadPlugins: false },
  });
  assertEquals(await parse("cache", "stats", "--json"), {
    command: "cache-stats",
    options: { json: true },
  });
  assertEquals(await parse("cache", "clear", "--older-than", "3"), {
    command: "cache-clear",
    options: { json: false, olderThanDays: 3 },
  });
  assertEquals(await parse("cache", "clear", "--json"), {
    command: "cache-clear",
    options: { json: true, olderThanDays: undefined },
  });
  assertEquals(await parse("plugins", "check", "x.ts"), {
    command: "plugins-check",
    options: { specifier: "/home/user/work/x.ts" },
  });
});

Deno.test("invalid values are one-line usage errors naming the option, the rule and the value", async () => {
  assertEquals(
    await usageError("analyze", ".", "--max-turns", "0"),
    "--max-turns must be an integer ≥ 1 (got '0') (see 'deeprepo analyze --help')",
  );
  assertEquals(
    await usageError("analyze", ".", "--concurrency", "abc"),
    "--concurrency must be an integer ≥ 1 (got 'abc') (see 'deeprepo analyze --help')",
  );
  assertMatch(
    await usageError("analyze", ".", "--max-cost", "-1"),
    /^--max-cost must be a positive number \(got '-1'\)/,
  );
  assertMatch(
    await usageError("analyze", ".", "--max-cost", "0"),
    /^--max-cost must be a positive number \(got .0.\)/,
  );
  assertMatch(
    await usageError("analyze", ".", "--exec-timeout", "1.5"),
    /^--exec-timeout must be an integer from 1 to 86,400 \(got '1\.5'\)/,
  );
  assertMatch(
    await usageError("baseline", ".", "--max-chars", "10"),
    /^--max-chars must be an integer ≥ 1000 \(got '10'\) \(see 'deeprepo baseline --help'\)$/,
  );
  assertMatch(
    await usageError("cache", "clear", "--older-than", "x"),
    /^--older-than must be a positive number \(got 'x'\) \(see 'deeprepo cache clear --help'\)$/,
  );
  assertMatch(await usageError("analyze", ".", "--root-model", ""), /^--root-model must not be/);
  assertMatch(await usageError("analyze", ".", "-o"), /^--output-dir needs a value/);
  assertMatch(await usageError("analyze", ".", "-o", " "), /^--output-dir must not be empty/);
  assertMatch(await usageError("repl", ".", "--eval"), /^--eval needs a value/);
});

Deno.test("--exec-timeout stops at one day: a longer timer would overflow and fire at once", async () => {
  const inv = await parse("analyze", ".", "--exec-timeout", String(MAX_EXEC_TIMEOUT_SECONDS));
  if (inv.command !== "analyze") throw new Error(inv.command);
  assertEquals(inv.options.execTimeoutSeconds, 86_400);
  for (const command of ["analyze", "compare", "repl"]) {
    assertMatch(
      await usageError(command, ".", "--exec-timeout", "3000000"),
      /^--exec-timeout must be an integer from 1 to 86,400 \(got '3000000'\)/,
    );
  }
});

Deno.test("a mistyped flag or command carries commander's suggestion on the same line", async () => {
  assertEquals(
    await usageError("analyze", ".", "--dry-rn"),
    "unknown option '--dry-rn'; did you mean --dry-run? (see 'deeprepo analyze --help')",
  );
  assertEquals(
    await usageError("analyz", "."),
    "unknown command 'analyz'; did you mean analyze? (see 'deeprepo --help')",
  );
  assertMatch(
    await usageError("cache", "stat"),
    /did you mean stats\? \(see 'deeprepo cache --help'\)$/,
  );
});

Deno.test("plugin specifiers with a scheme are kept; paths resolve against the user's cwd", async () => {
  const inv = await parse(
    "list-models",
    "--plugin",
    "../p.ts",
    "--plugin",
    "npm:deeprepo-plugin-x@1.0.0",
    "--plugin",
    "data:text/javascript,export default {}",
    "--plugin",
    "file:///abs/q.ts",
  );
  assertEquals(inv, {
    command: "list-models",
    options: {
      json: false,
      reloadPlugins: false,
      plugins: [
        "/home/user/p.ts",
        "npm:deeprepo-plugin-x@1.0.0",
        "data:text/javascript,export default {}",
        "file:///abs/q.ts",
      ],
    },
  });
});

Deno.test("unknown flags, commands and missing arguments are usage errors", async () => {
  assertMatch(
    await usageError("analyze", ".", "--bogus"),
    /unknown option '--bogus'.*analyze --help/,
  );
  assertMatch(await usageError("analyse", "."), /unknown command 'analyse'/);
  assertMatch(await usageError("analyze"), /missing required argument 'source'/);
  assertMatch(await usageError("analyze", ".", "--json"), /--json needs --dry-run/);
  assertMatch(await usageError("cache"), /missing subcommand/);
  assertMatch(await usageError(), /no command/);
});

Deno.test("--help on the program and on every command prints help and exits 0", async () => {
  for (
    const argv of [
      ["--help"],
      ["analyze", "--help"],
      ["baseline", "--help"],
      ["compare", "--help"],
      ["repl", "--help"],
      ["list-models", "--help"],
      ["cache", "stats", "--help"],
      ["cache", "clear", "--help"],
      ["plugins", "check", "--help"],
    ]
  ) {
    const ctx = capturedContext(cwd);
    assertEquals(await runCli(argv, ctx), 0, argv.join(" "));
    const text = ctx.out.join("\n");
    assertMatch(text, /^Usage: deeprepo/m, argv.join(" "));
  }
  const ctx = capturedContext(cwd);
  await runCli(["analyze", "--help"], ctx);
  const help = ctx.out.join("\n");
  for (
    const flag of [
      "--output-dir",
      "--quiet",
      "--root-model",
      "--sub-model",
      "--no-cache",
      "--plugin",
      "--max-turns",
      "--concurrency",
      "--max-cost",
      "--exec-timeout",
      "--no-prompt-cache",
      "--dry-run",
      "--json",
    ]
  ) assert(help.includes(flag), `analyze --help lacks ${flag}`);
});

Deno.test("--version prints the version and exits 0", async () => {
  const ctx = capturedContext(cwd);
  assertEquals(await runCli(["--version"], ctx), 0);
  assertEquals(ctx.out, [VERSION]);
});

Deno.test("a usage error prints one line on stderr and exits 2", async () => {
  const ctx = capturedContext(cwd);
  assertEquals(await runCli(["analyze", ".", "--concurrency", "abc"], ctx), 2);
  const lines = ctx.errText().trimEnd().split("\n");
  assertEquals(lines.length, 1);
  assertMatch(lines[0], /^deeprepo: .*--concurrency/);
  assertEquals(ctx.out, []);
});

Deno.test("relative paths resolve against a Windows working folder too", async () => {
  const inv = await parseArgs(
    ["analyze", "..\\repo", "-o", "out", "--plugin", "plugins\\p.ts"],
    "C:\\Users\\me\\work",
    sink().io,
  );
  if (inv.command !== "analyze") throw new Error(inv.command);
  assertEquals(inv.options.source, "C:/Users/me/repo");
  assertEquals(inv.options.outputDir, "C:/Users/me/work/out");
  assertEquals(inv.options.plugins, ["C:/Users/me/work/plugins/p.ts"]);
  const absolute = await parseArgs(["analyze", "D:\\code\\r"], "C:\\Users\\me", sink().io);
  if (absolute.command !== "analyze") throw new Error(absolute.command);
  assertEquals(absolute.options.source, "D:\\code\\r");
});
