/**
 * Repository, model and REPL text never drives the terminal (#18 finding 6, #19 item 9): the
 * sanitiser on its own, and the real CLI under a pseudo-terminal with the issues' exact inputs.
 */
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { terminalLine, terminalText } from "../../lib/cli/terminal_text.ts";
import { MAIN, runCliProcess } from "../_helpers/run_cli.ts";
import { hasScript, runInPty, shellQuote } from "../_helpers/pty.ts";

/** The attacks of #18 finding 6: window title, clipboard write, clear screen, cursor moves. */
const HOSTILE = "title \x1b]0;pwned\x07 clip \x1b]52;c;ZWNobyBoaQ==\x07 clear \x1b[2J " +
  "move \x1b[10;10H home \x1b[H end";

Deno.test("terminalText shows escape sequences visibly and keeps newlines and tabs", () => {
  assertEquals(
    terminalText(HOSTILE),
    "title \\x1b]0;pwned\\x07 clip \\x1b]52;c;ZWNobyBoaQ==\\x07 clear \\x1b[2J " +
      "move \\x1b[10;10H home \\x1b[H end",
  );
  assertEquals(terminalText("a\n\tb\r\nc"), "a\n\tb\nc", "a Windows line end is a line end");
  assertEquals(terminalText("100%\rforged"), "100%\\rforged", "a lone CR cannot overwrite");
  assertEquals(terminalText("\x00\x08\x7f"), "\\x00\\x08\\x7f");
  // 8-bit C1 controls: U+009B is CSI and U+009D is OSC on terminals that take 8-bit controls.
  assertEquals(terminalText("\x9b2J\x9d0;t\x9c"), "\\x9b2J\\x9d0;t\\x9c");
  // Bidi overrides and isolates reorder what is shown (Trojan Source).
  assertEquals(terminalText("a\u202eb\u2066c\u2069\u200f"), "a\\u202eb\\u2066c\\u2069\\u200f");
  assertEquals(terminalText("plain ünïcödé ✓ 日本"), "plain ünïcödé ✓ 日本");
});

Deno.test("terminalLine keeps a name on one line: a newline cannot forge a line of output", () => {
  assertEquals(
    terminalLine("x\nEstimated cost: $0.0000\n.pem"),
    "x\\nEstimated cost: $0.0000\\n.pem",
  );
  assertEquals(terminalLine("a\tb\r\n\x1b[31m"), "a\\tb\\r\\n\\x1b[31m");
});

async function withHostileRepo(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_hostile_tty_" });
  try {
    await Deno.writeTextFile(`${dir}/evil.txt`, `${HOSTILE}\n`);
    await Deno.writeTextFile(`${dir}/app.ts`, "export const a = 1;\n");
    // #19 item 9: names that forge a dry-run line, and names carrying escape sequences.
    await Deno.writeTextFile(`${dir}/y\nEstimated cost: $0.0000\n.pem`, "secret");
    await Deno.writeTextFile(`${dir}/z\x1b]0;pwned\x07.pem`, "secret");
    await Deno.writeTextFile(`${dir}/w\nEstimated cost: $0.0000\n.md`, "# doc\n");
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("dry run: a file name with a newline cannot forge an 'Estimated cost' line", async () => {
  await withHostileRepo(async (dir) => {
    const result = await runCliProcess(["analyze", dir, "--dry-run"]);
    assertEquals(result.code, 0, result.stderr);
    const estimates = result.stdout.split("\n").filter((l) => l.startsWith("Estimated cost:"));
    assertEquals(estimates.length, 1, result.stdout);
    assert(!/Estimated cost: \$0\.0000$/.test(estimates[0]), estimates[0]);
    assertStringIncludes(result.stdout, "y\\nEstimated cost: $0.0000\\n.pem");
    assert(!result.stdout.includes("\x1b"), "no escape byte in the listing");
    assertStringIncludes(result.stdout, "z\\x1b]0;pwned\\x07.pem");
  });
});

Deno.test("repl on a terminal: printed text, error names and values never reach the terminal raw", async () => {
  if (!await hasScript()) {
    console.log("skipped: util-linux `script` is not installed (no pseudo-terminal)");
    return;
  }
  await withHostileRepo(async (dir) => {
    const evals = [
      'print(codebase["evil.txt"])',
      'const e = new Error("m\\x1b[2J"); e.name = "\\x1b[32mOK"; throw e',
      'codebase["evil.txt"].trim()',
    ];
    const command = [
      "deno",
      "run",
      "-q",
      "-A",
      MAIN,
      "repl",
      dir,
      ...evals.flatMap((e) => ["--eval", e]),
    ]
      .map(shellQuote).join(" ");
    const { screen } = await runInPty(command);
    assert(!screen.includes("\x1b"), `raw ESC reached the terminal: ${JSON.stringify(screen)}`);
    assert(!screen.includes("\x07"), "raw BEL reached the terminal");
    const shown = "title \\x1b]0;pwned\\x07 clip \\x1b]52;c;ZWNobyBoaQ==\\x07 clear \\x1b[2J";
    assertStringIncludes(screen, shown, "printed output");
    assertStringIncludes(screen, "\\x1b[32mOK: m\\x1b[2J", "error name and message");
    assertEquals(screen.split(shown).length, 3, "printed once and as the value");
  });
});
