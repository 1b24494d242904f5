/**
 * `--version`, `--help` and usage errors must start fast: the modules loaded before a command is
 * chosen (the static import graph of the CLI edge) must not include the model SDKs, Deno KV
 * code or the sandbox. Command modules are imported dynamically, only when they run.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { REPO_ROOT } from "../_helpers/run_cli.ts";

interface Dependency {
  code?: { specifier: string };
  type?: { specifier: string };
  isDynamic?: boolean;
}
interface ModuleInfo {
  specifier: string;
  dependencies?: Dependency[];
}

async function staticClosure(entry: string): Promise<Set<string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: ModuleInfo[];
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    for (const dep of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dep.isDynamic) continue;
      const target = dep.code?.specifier;
      if (target) visit(target);
    }
  };
  visit(info.roots[0]);
  return seen;
}

Deno.test("the CLI edge statically loads no SDK, KV or sandbox module", async () => {
  const closure = await staticClosure("lib/cli/main.ts");
  const loaded = [...closure];
  assert(loaded.some((s) => s.endsWith("/lib/cli/program.ts")), "closure must include program.ts");
  const heavy = loaded.filter((s) =>
    /@anthropic-ai\/sdk|npm:openai|gpt-tokenizer|sucrase|acorn|\/lib\/(cache|sandbox|engine|providers|loader|baseline)\//
      .test(s)
  );
  assertEquals(heavy, []);
});

Deno.test("main.ts loads the CLI edge only dynamically", async () => {
  const closure = await staticClosure("main.ts");
  assertEquals(
    [...closure].filter((s) => s.includes("/lib/cli/") || s.startsWith("npm:")),
    [],
  );
});

Deno.test("built-in plugins load their SDK only when a client makes its first call", async () => {
  for (const plugin of ["anthropic", "openrouter", "openai", "ollama"]) {
    const closure = [...await staticClosure(`plugins/${plugin}.ts`)];
    assert(closure.some((s) => s.endsWith(`/plugins/${plugin}.ts`)), plugin);
    assertEquals(closure.filter((s) => /@anthropic-ai\/sdk|npm:\/?openai/.test(s)), [], plugin);
  }
});

Deno.test("--dry-run loads neither the sandbox nor an SDK", async () => {
  const closure = [...await staticClosure("lib/cli/commands/dry_run.ts")];
  assert(closure.some((s) => s.includes("/lib/loader/")), "the dry run must load the loader");
  assertEquals(
    closure.filter((s) =>
      /@anthropic-ai\/sdk|npm:\/?openai|sucrase|acorn|\/lib\/sandbox\//.test(s)
    ),
    [],
  );
});
