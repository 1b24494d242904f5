/**
 * The interactive REPL in a real terminal (#16 items 12-14): line editing with history kept per
 * user (0600), Tab completion of codebase paths, `.help`, `.clear`, `.break` by Ctrl-C while
 * typing, `llm_batch` progress, and `.exit` returning 0 whatever earlier inputs did.
 */
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { MAIN } from "../_helpers/run_cli.ts";
import { hasScript, runInPty, shellQuote } from "../_helpers/pty.ts";
import { startFakeModelServer } from "../fakes/model_server.ts";
import { complete } from "../../lib/cli/repl/completion.ts";
import { readHistory, writeHistory } from "../../lib/cli/repl/history.ts";

const FIXTURE = new URL("../fixtures/sample_project", import.meta.url).pathname;

Deno.test("completion: globals, dot-commands and codebase paths", () => {
  const paths = ["src/auth.ts", "src/app.ts", "README.md"];
  assertEquals(complete('print(codebase["src/a', paths), [["src/app.ts", "src/auth.ts"], "src/a"]);
  assertEquals(complete("codebase['RE", paths), [["README.md"], "RE"]);
  assertEquals(complete("llm_", paths), [["llm_query", "llm_batch"], "llm_"]);
  assertEquals(complete(".he", paths), [[".help"], ".he"]);
  assertEquals(complete("x.cod", paths), [[], "cod"], "a property is not a global");
});

Deno.test("history: newest first, multi-line entries kept, written 0600", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_history_" });
  try {
    const path = `${dir}/deeprepo/repl_history`;
    assertEquals(await readHistory(path), []);
    await writeHistory(path, ["b\\n", "a\nb"]);
    assertEquals(await readHistory(path), ["b\\n", "a\nb"]);
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(`${dir}/deeprepo`)).mode! & 0o777, 0o700);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("interactive repl on a terminal: editing, history, completion, commands, progress, exit 0", async () => {
  if (!await hasScript()) {
    console.log("skipped: util-linux `script` is not installed (no pseudo-terminal)");
    return;
  }
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_repl_tty_" });
  try {
    server.handler(
      () => ({ text: "fine", usage: { input: 10, output: 2 }, latencyMs: 200 }),
      "openai",
    );
    const command = ["deno", "run", "-q", "-A", MAIN, "repl", FIXTURE, "--no-cache"]
      .map(shellQuote).join(" ") + "; echo rc=$?";
    const { screen } = await runInPty(command, {
      env: { ...server.env(), XDG_DATA_HOME: `${dir}/data`, NO_COLOR: "1" },
      async drive(type) {
        const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
        // The screen is only known at the end: the keys are paced.
        await wait(4000);
        for (
          const keys of [
            "const x = 41\r",
            "x + 1\r",
            "\x1b[A\r", // Up: x + 1 again
            'print(codebase["src/au',
            "\t",
            '"].length)\r',
            ".help\r",
            "function f() {\r",
            "\x03", // Ctrl-C while typing: the multi-line input is dropped
            "await llm_batch(['a', 'b', 'c'])\r",
            "throw new Error('boom')\r",
            ".clear\r",
            "typeof x\r",
            ".exit\r",
          ]
        ) {
          await type(keys);
          await wait(keys.includes("llm_batch") || keys === ".clear\r" ? 2500 : 700);
        }
      },
      timeoutMs: 90_000,
    });
    const text = screen.replaceAll("\r\n", "\n");
    assertStringIncludes(text, "\n42\n");
    assertEquals(text.split("\n42\n").length, 3, "Up recalled `x + 1`");
    assertStringIncludes(text, 'print(codebase["src/auth.ts"].length)');
    assertStringIncludes(text, ".clear    restart the REPL");
    assertStringIncludes(text, "^C");
    assertStringIncludes(text, "llm sub-calls");
    assertStringIncludes(text, '[ "fine", "fine", "fine" ]');
    assertStringIncludes(text, "Error: boom");
    assertStringIncludes(text, "REPL restarted");
    assertStringIncludes(text, "\nundefined\n", "variables are gone after .clear");
    assertStringIncludes(text, "rc=0", "`.exit` ends normally whatever earlier inputs did");
    assert(!text.includes("SyntaxError"), text);
    const history = await Deno.readTextFile(`${dir}/data/deeprepo/repl_history`);
    assertStringIncludes(history, "const x = 41\nx + 1\n");
    assertEquals((await Deno.stat(`${dir}/data/deeprepo/repl_history`)).mode! & 0o777, 0o600);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
