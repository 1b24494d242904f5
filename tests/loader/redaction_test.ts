/**
 * Secrets are masked in place before the codebase reaches anyone: every planted secret is
 * found and replaced with `[REDACTED:<rule>]` on its own line, look-alikes stay as they are.
 */
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { loadCodebase } from "../../lib/loader/mod.ts";
import { loadFolder } from "../../lib/loader/load_folder.ts";
import { findSecrets, redactSecrets } from "../../lib/loader/secrets/scan.ts";
import { presetRuleNames, secretRules, TRIGGERS } from "../../lib/loader/secrets/rules.ts";
import { withTempDir, writeTree } from "./_fixture.ts";
import { lookAlikes, plantedSecrets } from "./_secrets.ts";

async function writeSecretRepo(dir: string): Promise<void> {
  const files: Record<string, string> = {};
  for (const s of plantedSecrets()) files[s.path] = s.content;
  const fakes = lookAlikes();
  files[fakes.path] = fakes.content;
  files["README.md"] = "# a repository with hard-coded secrets\n";
  await writeTree(dir, files);
}

Deno.test("every planted secret is masked and counted by rule; look-alikes are left alone", async () => {
  await withTempDir(async (dir) => {
    await writeSecretRepo(dir);
    const planted = plantedSecrets();
    assertEquals(planted.length, 25);
    for (const readMode of ["sync", "async"] as const) {
      const snapshot = await loadFolder(dir, {
        repoName: "r",
        source: dir,
        concurrency: 4,
        readMode,
      });
      const all = Object.values(snapshot.codebase).join("\n");
      for (const secret of planted) {
        assert(!all.includes(secret.value), `${secret.path}: value still present`);
        const text = snapshot.codebase[secret.path];
        assertStringIncludes(text, `[REDACTED:${secret.rule}]`, secret.path);
        assertEquals(
          text.split("\n").length,
          secret.content.split("\n").length,
          `${secret.path}: line count kept`,
        );
      }
      const expected: Record<string, number> = {};
      for (const s of planted) expected[s.rule] = (expected[s.rule] ?? 0) + 1;
      assertEquals(snapshot.secretsRedacted, expected);
      const fakes = lookAlikes();
      assertEquals(snapshot.codebase[fakes.path], fakes.content, "look-alikes unchanged");
    }
  });
});

Deno.test("--no-redact (redact: false) leaves the code as it is and says so", async () => {
  await withTempDir(async (dir) => {
    await writeSecretRepo(dir);
    const { snapshot } = await loadCodebase(dir, { cwd: "/", redact: false });
    assertEquals(snapshot.secretsRedacted, null);
    const secret = plantedSecrets()[0];
    assertEquals(snapshot.codebase[secret.path], secret.content);
  });
});

Deno.test("redactSecrets keeps line numbers and, in a URL, masks only the password", () => {
  const text = "a\nkey = -----BEGIN\nXYZ\nEND-----\nb\nurl = postgres://svc:hunter22@db/x\n";
  const start = text.indexOf("-----BEGIN");
  const end = text.indexOf("END-----") + 8;
  const urlStart = text.indexOf("postgres://");
  const out = redactSecrets(text, [
    { start, end, rule: "privatekey" },
    { start: urlStart, end: text.indexOf("/x"), rule: "database-connection-string" },
  ]);
  assertEquals(
    out,
    "a\nkey = [REDACTED:privatekey]\n\n\nb\nurl = postgres://svc:[REDACTED:database-connection-string]@db/x\n",
  );
});

Deno.test("findSecrets scans joined files exactly as it would scan each alone", () => {
  const planted = plantedSecrets();
  const rules = secretRules();
  // A key block cut in two across files must not be found by joining them.
  const body = "MIIEpAIBAAKCAQEA" + "Q".repeat(300);
  const texts = [
    ...planted.map((s) => s.content),
    `const a = \`-----BEGIN RSA PRIVATE KEY-----\n${body}\n`,
    "-----END RSA PRIVATE KEY-----`;\n",
  ];
  const paths = [...planted.map((s) => s.path), "cut/a.ts", "cut/b.ts"];
  const joined = findSecrets(texts, paths, rules);
  const alone = texts.map((t, i) => findSecrets([t], [paths[i]], rules)[0]);
  assertEquals(joined, alone);
  assertEquals(joined.at(-1), []);
  assertEquals(joined.at(-2), []);
});

Deno.test("every preset rule deeprepo runs has a trigger (else it would run on every chunk)", () => {
  for (const name of presetRuleNames()) {
    if (name === "basicauth") continue; // no trigger on purpose: `://` is everywhere
    assert(name in TRIGGERS, `${name} has no trigger in lib/loader/secrets/rules.ts`);
  }
});
