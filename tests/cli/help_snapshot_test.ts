/**
 * `--help` is part of the user interface: its whole text for every command is kept in
 * `testdata/help.txt`, so any change to a flag, a default or a description shows up in review.
 * After an intended change, rewrite the file with
 * `DEEPREPO_UPDATE_SNAPSHOTS=1 deno test -A tests/cli/help_snapshot_test.ts`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { HELP_WIDTH } from "../../lib/cli/program.ts";
import { runCli } from "../../lib/cli/main.ts";
import { capturedContext } from "../_helpers/cli_context.ts";

const SNAPSHOT = new URL("./testdata/help.txt", import.meta.url);

/** Every command's help invocation, the program's first. */
const HELP_INVOCATIONS = [
  ["--help"],
  ["analyze", "--help"],
  ["baseline", "--help"],
  ["compare", "--help"],
  ["repl", "--help"],
  ["list-models", "--help"],
  ["cache", "--help"],
  ["cache", "stats", "--help"],
  ["cache", "clear", "--help"],
  ["plugins", "--help"],
  ["plugins", "check", "--help"],
  ["status", "--help"],
  ["context", "--help"],
  ["trust", "--help"],
];

async function helpText(): Promise<string> {
  const sections: string[] = [];
  for (const argv of HELP_INVOCATIONS) {
    const ctx = capturedContext("/home/user");
    assertEquals(await runCli(argv, ctx), 0, argv.join(" "));
    assertEquals(ctx.errText(), "", argv.join(" "));
    sections.push(`=== deeprepo ${argv.join(" ")}\n${ctx.out.join("\n")}\n`);
  }
  return sections.join("\n");
}

Deno.test("--help of every command matches the snapshot in testdata/help.txt", async () => {
  const actual = await helpText();
  if (Deno.env.get("DEEPREPO_UPDATE_SNAPSHOTS") === "1") {
    await Deno.writeTextFile(SNAPSHOT, actual);
  }
  assertEquals(actual, await Deno.readTextFile(SNAPSHOT));
});

Deno.test("--help fits in an 80-column terminal whatever the terminal's width", async () => {
  // Commander would wrap at the terminal's width; a fixed width keeps the text (and the
  // snapshot) the same everywhere.
  assertEquals(HELP_WIDTH, 80);
  const long = (await helpText()).split("\n").filter((line) => line.length > HELP_WIDTH);
  assertEquals(long, []);
});

Deno.test("--help of the program names the environment variables and exit statuses", async () => {
  const ctx = capturedContext("/home/user");
  await runCli(["--help"], ctx);
  const text = ctx.out.join("\n");
  for (
    const needed of [
      "ANTHROPIC_API_KEY",
      "OPENROUTER_API_KEY",
      "OPENAI_API_KEY",
      "ANTHROPIC_BASE_URL",
      "OLLAMA_HOST",
      "DEEPREPO_CACHE_DIR",
      "DEEPREPO_PLUGINS",
      "DEEPREPO_DEBUG",
      "NO_COLOR",
      ".env",
      "Exit status: 0 done, 1 the run failed, 2 fix the invocation or environment",
      "130 interrupted",
    ]
  ) assert(text.includes(needed), `deeprepo --help lacks ${needed}`);
});
