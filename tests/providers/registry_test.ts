import { assert, assertEquals, assertMatch, assertThrows } from "../_helpers/assert.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { UsageError } from "../../lib/errors.ts";
import { loadRegistry } from "../../lib/providers/mod.ts";
import { serveFolder } from "../_helpers/static_server.ts";

/** Writes a plugin module into `dir` and returns its path. */
async function writePlugin(dir: string, file: string, body: string): Promise<string> {
  const path = `${dir}/${file}`;
  await Deno.writeTextFile(path, body);
  return path;
}

const pluginSource = (name: string, models: string, extra = "") => `
export default {
  name: ${JSON.stringify(name)},
  models: ${models},
  ${extra}
  createClient() {
    return { complete: async () => ({ text: ${
  JSON.stringify(name)
}, toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 } }) };
  },
};`;

/** A `deeprepo.json` as the CLI passes it once the user trusted it (see lib/config/settings.ts). */
async function trusted(path: string): Promise<{ path: string; text: string } | undefined> {
  try {
    return { path, text: await Deno.readTextFile(path) };
  } catch {
    return undefined;
  }
}

async function withTemp(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_registry_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("resolve handles aliases, listed ids, provider:model, provider names and handles()", async () => {
  const registry = await loadRegistry({
    cwd: "/nonexistent-deeprepo-test-dir",
    env: envFromRecord({}),
  });
  assertEquals(registry.errors, []);
  assertEquals(registry.plugins.map((p) => p.name), [
    "anthropic",
    "openrouter",
    "openai",
    "ollama",
  ]);
  assertEquals(registry.resolve("sonnet").label, "anthropic:claude-sonnet-5-5");
  assertEquals(registry.resolve("opus").id, "claude-opus-5-5");
  assertEquals(registry.resolve("haiku").contextWindow, 1_000_000);
  assertEquals(registry.resolve("claude-sonnet-5").pricing.input, 2);
  assertEquals(registry.resolve("anthropic:haiku").id, "claude-haiku-5-5");
  assertEquals(registry.resolve("claude-future-9").provider, "anthropic");
  assertEquals(registry.resolve("claude-future-9").pricingKnown, false);
  assertEquals(registry.resolve("openrouter:anthropic/claude-x").id, "anthropic/claude-x");
  assertEquals(registry.resolve("anthropic/claude-x").provider, "openrouter");
  assertEquals(registry.resolve("minimax/minimax-m2.5").pricing, { input: 0.2, output: 1.1 });
  assertEquals(registry.resolve("ollama").id, "qwen3-coder:30b");
  assertEquals(registry.resolve("openai", "sub").id, "gpt-6-luna");
  assertEquals(registry.resolve("gpt-oss:20b").provider, "ollama");
});

Deno.test("resolve rejects an unknown model with exit 2 naming deeprepo list-models", async () => {
  const registry = await loadRegistry({
    cwd: "/nonexistent-deeprepo-test-dir",
    env: envFromRecord({}),
  });
  const error = assertThrows(() => registry.resolve("sonet"), UsageError);
  assertEquals(error.exitCode, 2);
  assertMatch(error.message, /unknown model "sonet".*deeprepo list-models/);
});

Deno.test("a broken plugin is reported by name and field without breaking the others", async () => {
  await withTemp(async (dir) => {
    const bad = await writePlugin(
      dir,
      "bad.ts",
      pluginSource("acme", `[{ id: "acme-1", pricing: { input: "cheap", output: 1 } }]`),
    );
    const missing = `${dir}/missing.ts`;
    const registry = await loadRegistry({
      cwd: dir,
      env: envFromRecord({}),
      plugins: [bad, missing],
    });
    assertEquals(registry.plugins.length, 4);
    assertEquals(registry.errors.length, 2);
    assertEquals(registry.errors[0].name, "acme");
    assertEquals(
      registry.errors[0].message,
      `plugin ${bad} (acme): field models[0].pricing.input must be a number (USD per 1M tokens), ` +
        'got a string ("cheap")',
    );
    assertMatch(registry.errors[1].message, new RegExp(`^plugin ${missing}: cannot load: `));
    // Models of healthy plugins still resolve; the broken plugin's models name its error.
    assertEquals(registry.resolve("sonnet").provider, "anthropic");
    const byId = assertThrows(() => registry.resolve("acme-1"), UsageError);
    assertEquals(byId.message, registry.errors[0].message);
    const byName = assertThrows(() => registry.resolve("acme:anything"), UsageError);
    assertEquals(byName.message, registry.errors[0].message);
    const unknown = assertThrows(() => registry.resolve("nothing-here"), UsageError);
    assertMatch(unknown.message, /2 plugins failed to load: acme, .*missing\.ts/);
  });
});

Deno.test("plugins load from the user config, deeprepo.json, DEEPREPO_PLUGINS and --plugin", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(`${dir}/xdg/deeprepo`, { recursive: true });
    await Deno.mkdir(`${dir}/project/plugins`, { recursive: true });
    await writePlugin(
      `${dir}/xdg/deeprepo`,
      "user.ts",
      pluginSource("user", `[{ id: "u-1", pricing: { input: 1, output: 1 } }]`),
    );
    await Deno.writeTextFile(
      `${dir}/xdg/deeprepo/config.json`,
      JSON.stringify({ plugins: ["./user.ts"] }),
    );
    await writePlugin(
      `${dir}/project/plugins`,
      "proj.ts",
      pluginSource("proj", `[{ id: "p-1", pricing: { input: 1, output: 1 } }]`),
    );
    await Deno.writeTextFile(
      `${dir}/project/deeprepo.json`,
      JSON.stringify({ plugins: ["plugins/proj.ts"] }),
    );
    await writePlugin(
      `${dir}/project`,
      "env.ts",
      pluginSource("envp", `[{ id: "e-1", pricing: { input: 1, output: 1 } }]`),
    );
    const flag = await writePlugin(
      dir,
      "flag.ts",
      pluginSource("flagp", `[{ id: "f-1", pricing: { input: 1, output: 1 } }]`),
    );
    const registry = await loadRegistry({
      cwd: `${dir}/project`,
      env: envFromRecord({ XDG_CONFIG_HOME: `${dir}/xdg`, DEEPREPO_PLUGINS: "./env.ts, " }),
      plugins: [flag],
      projectConfig: await trusted(`${dir}/project/deeprepo.json`),
    });
    assertEquals(registry.errors, []);
    assertEquals(registry.plugins.map((p) => p.name).slice(4), ["user", "proj", "envp", "flagp"]);
    assertEquals(registry.origins.slice(4).map((o) => o.origin), [
      "user config",
      "project config",
      "env",
      "flag",
    ]);
    for (
      const [model, provider] of [["u-1", "user"], ["p-1", "proj"], ["e-1", "envp"], [
        "f-1",
        "flagp",
      ]]
    ) {
      assertEquals(registry.resolve(model).provider, provider);
    }
  });
});

Deno.test("a later plugin overrides an earlier one: same name replaces, same alias wins", async () => {
  await withTemp(async (dir) => {
    const override = await writePlugin(
      dir,
      "override.ts",
      pluginSource(
        "mine",
        `[{ id: "my-sonnet", aliases: ["sonnet"], pricing: { input: 0, output: 0 } }]`,
      ),
    );
    const replace = await writePlugin(
      dir,
      "anthropic.ts",
      pluginSource("anthropic", `[{ id: "claude-local", pricing: { input: 0, output: 0 } }]`),
    );
    const registry = await loadRegistry({
      cwd: dir,
      env: envFromRecord({}),
      plugins: [override, replace],
    });
    assertEquals(registry.resolve("sonnet").label, "mine:my-sonnet");
    assertEquals(registry.plugins.filter((p) => p.name === "anthropic").length, 1);
    assertEquals(registry.resolve("anthropic:claude-local").pricing.input, 0);
    // The replaced built-in is gone entirely, aliases included.
    assertThrows(() => registry.resolve("opus"), UsageError);
  });
});

Deno.test("an invalid config file is an error entry, not a crash", async () => {
  await withTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/deeprepo.json`, "{ plugins: nope");
    const registry = await loadRegistry({
      cwd: dir,
      env: envFromRecord({}),
      projectConfig: await trusted(`${dir}/deeprepo.json`),
    });
    assertEquals(registry.plugins.length, 4);
    assertEquals(registry.errors.length, 1);
    assertMatch(registry.errors[0].message, /^config .*deeprepo\.json: invalid JSON/);
  });
});

Deno.test("a plugin's malformed response is retried, then a RunError naming plugin and field", async () => {
  await withTemp(async (dir) => {
    const path = await writePlugin(
      dir,
      "sloppy.ts",
      `export default { name: "sloppy", models: [{ id: "s", pricing: { input: 0, output: 0 } }],
        createClient: () => ({ complete: async () => ({ text: "x", usage: { inputTokens: "1" } }) }) };`,
    );
    const registry = await loadRegistry({
      cwd: dir,
      env: envFromRecord({ DEEPREPO_RETRY_BASE_MS: "1" }),
      plugins: [path],
    });
    const reasons: string[] = [];
    const client = registry.resolve("s").createClient({ onRetry: (r) => reasons.push(r.reason) });
    let message = "";
    try {
      await client.complete({ messages: [{ role: "user", content: "q" }], maxTokens: 1 });
    } catch (error) {
      message = (error as Error).message;
    }
    assertEquals(
      message,
      "sloppy s: invalid response from plugin sloppy: usage.inputTokens must be a non-negative " +
        'finite number, got "1"',
    );
    assertEquals(reasons, ["invalid response", "invalid response", "invalid response"]);
  });
});

Deno.test("precedence across sources: --plugin > DEEPREPO_PLUGINS > deeprepo.json > user config", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(`${dir}/xdg/deeprepo`, { recursive: true });
    await Deno.mkdir(`${dir}/project`, { recursive: true });
    // Four plugins, one per source, all claiming the alias "fav"; each also has its own id.
    const write = (folder: string, name: string) =>
      writePlugin(
        folder,
        `${name}.ts`,
        pluginSource(
          name,
          `[{ id: "${name}-1", aliases: ["fav"], pricing: { input: 1, output: 1 } }]`,
        ),
      );
    await write(`${dir}/xdg/deeprepo`, "user");
    await Deno.writeTextFile(
      `${dir}/xdg/deeprepo/config.json`,
      JSON.stringify({ plugins: ["./user.ts"] }),
    );
    await write(`${dir}/project`, "proj");
    await Deno.writeTextFile(
      `${dir}/project/deeprepo.json`,
      JSON.stringify({ plugins: ["./proj.ts"] }),
    );
    await write(`${dir}/project`, "envp");
    const flag = await write(dir, "flagp");
    const load = async (env: Record<string, string>, plugins: string[]) =>
      loadRegistry({
        cwd: `${dir}/project`,
        env: envFromRecord({ XDG_CONFIG_HOME: `${dir}/xdg`, ...env }),
        plugins,
        projectConfig: await trusted(`${dir}/project/deeprepo.json`),
      });
    const all = await load({ DEEPREPO_PLUGINS: "envp.ts" }, [flag]);
    assertEquals(all.resolve("fav").provider, "flagp");
    assertEquals((await load({ DEEPREPO_PLUGINS: "envp.ts" }, [])).resolve("fav").provider, "envp");
    assertEquals((await load({}, [])).resolve("fav").provider, "proj");
    await Deno.remove(`${dir}/project/deeprepo.json`);
    assertEquals((await load({}, [])).resolve("fav").provider, "user");
    // Lower-precedence plugins stay reachable by their own ids.
    assertEquals(all.resolve("user-1").provider, "user");
  });
});

Deno.test("a broken plugin that overrides a built-in takes its place: its models report the error", async () => {
  await withTemp(async (dir) => {
    const broken = await writePlugin(
      dir,
      "my_anthropic.ts",
      pluginSource("anthropic", `[{ id: "claude-local", pricing: { input: "free", output: 0 } }]`),
    );
    const registry = await loadRegistry({ cwd: dir, env: envFromRecord({}), plugins: [broken] });
    assertEquals(registry.plugins.map((p) => p.name), ["openrouter", "openai", "ollama"]);
    const message = `plugin ${broken} (anthropic): field models[0].pricing.input must be a ` +
      'number (USD per 1M tokens), got a string ("free")';
    assertEquals(registry.errors.map((e) => e.message), [message]);
    // Never a silent fall-back to the built-in the user meant to replace.
    for (const model of ["sonnet", "anthropic:claude-sonnet-5-5", "claude-next", "anthropic"]) {
      assertEquals(assertThrows(() => registry.resolve(model), UsageError).message, message);
    }
    assertEquals(registry.resolve("minimax/minimax-m2.5").provider, "openrouter");
  });
});

Deno.test("a broken plugin with a higher precedence than a healthy one claiming the same alias wins with its error", async () => {
  await withTemp(async (dir) => {
    const broken = await writePlugin(
      dir,
      "mine.ts",
      pluginSource("mine", `[{ id: "mine-1", aliases: ["sonnet"], pricing: {} }]`),
    );
    const registry = await loadRegistry({ cwd: dir, env: envFromRecord({}), plugins: [broken] });
    const error = assertThrows(() => registry.resolve("sonnet"), UsageError);
    assertMatch(error.message, /^plugin .*mine\.ts \(mine\): field models\[0\]\.pricing\.input/);
    assertEquals(registry.resolve("claude-sonnet-5-5").provider, "anthropic");
  });
});

Deno.test("a fixed plugin loaded later replaces a broken one of the same name", async () => {
  await withTemp(async (dir) => {
    const broken = await writePlugin(dir, "old.ts", pluginSource("acme", `"none"`));
    const fixed = await writePlugin(
      dir,
      "new.ts",
      pluginSource("acme", `[{ id: "acme-1", pricing: { input: 1, output: 1 } }]`),
    );
    const registry = await loadRegistry({
      cwd: dir,
      env: envFromRecord({}),
      plugins: [broken, fixed],
    });
    assertEquals(registry.resolve("acme:acme-1").provider, "acme");
    assertEquals(registry.resolve("acme-1").provider, "acme");
    // Still reported: the old module is broken and still configured.
    assertEquals(registry.errors.map((e) => e.specifier), [broken]);
  });
});

Deno.test("load errors name the plugin file and keep the source location", async () => {
  await withTemp(async (dir) => {
    const syntax = await writePlugin(dir, "syntax.ts", `export default { name: "s", models: [ };`);
    const named = await writePlugin(dir, "named.ts", `export const plugin = { name: "n" };`);
    const factory = await writePlugin(dir, "factory.ts", `export default () => ({ name: "f" });`);
    const registry = await loadRegistry({
      cwd: dir,
      env: envFromRecord({}),
      plugins: [syntax, named, factory],
    });
    const [s, n, f] = registry.errors;
    assertMatch(
      s.message,
      new RegExp(`^plugin ${syntax}: cannot load: .*at file://${syntax}:1:\\d+$`),
    );
    assertEquals(
      n.message,
      `plugin ${named}: the module has no default export (it exports "plugin"; the plugin must ` +
        "be `export default`)",
    );
    // A function's own `name` ("default") is not taken for the plugin's name.
    assertEquals(f.name, undefined);
    assertMatch(
      f.message,
      new RegExp(
        `^plugin ${factory}: the default export must be the plugin object, got a function`,
      ),
    );
  });
});

Deno.test("an unknown model suggests the nearest alias, id or provider", async () => {
  const registry = await loadRegistry({
    cwd: "/nonexistent-deeprepo-test-dir",
    env: envFromRecord({}),
  });
  const hint = (model: string) =>
    assertThrows(() => registry.resolve(model), UsageError).message.match(
      /did you mean "([^"]+)"/,
    )?.[1];
  assertEquals(hint("sonet"), "sonnet");
  assertEquals(hint("Opus4"), "opus");
  assertEquals(hint("gtp-6.1-sol"), "gpt-6.1-sol");
  assertEquals(hint("completely-different"), undefined);
  assertMatch(
    assertThrows(() => registry.resolve("foo:bar"), UsageError).message,
    /there is no provider "foo"; run `deeprepo list-models`/,
  );
});

Deno.test("a createClient that returns a Promise is named with the plugin file", async () => {
  await withTemp(async (dir) => {
    const path = await writePlugin(
      dir,
      "async.ts",
      `export default { name: "slow", models: [{ id: "s", pricing: { input: 0, output: 0 } }],
        createClient: async () => ({ complete: async () => ({}) }) };`,
    );
    const registry = await loadRegistry({ cwd: dir, env: envFromRecord({}), plugins: [path] });
    const error = assertThrows(() => registry.resolve("s").createClient(), UsageError);
    assertEquals(
      error.message,
      `plugin ${path} (slow): createClient must return an object with a complete() method, got ` +
        "a Promise (createClient must not be async)",
    );
  });
});

Deno.test("a plugin named in a config file or DEEPREPO_PLUGINS says where it was listed when it fails", async () => {
  await withTemp(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/deeprepo.json`,
      JSON.stringify({ plugins: ["./gone.ts", "./bad.ts"] }),
    );
    await writePlugin(dir, "bad.ts", pluginSource("bad", `"none"`));
    const registry = await loadRegistry({
      cwd: dir,
      env: envFromRecord({ DEEPREPO_PLUGINS: "./also-gone.ts", XDG_CONFIG_HOME: `${dir}/xdg` }),
      projectConfig: await trusted(`${dir}/deeprepo.json`),
    });
    const [gone, bad, env] = registry.errors.map((e) => e.message);
    assertMatch(
      gone,
      new RegExp(`^plugin ${dir}/gone\\.ts \\(listed in ${dir}/deeprepo\\.json\\): cannot load: `),
    );
    assertEquals(
      bad,
      `plugin ${dir}/bad.ts (bad; listed in ${dir}/deeprepo.json): field models must be an ` +
        'array, got a string ("none")',
    );
    assertMatch(env, /also-gone\.ts \(listed in DEEPREPO_PLUGINS\): cannot load: /);
  });
});

Deno.test("a config file whose plugins field is not a list of strings is reported", async () => {
  await withTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/deeprepo.json`, JSON.stringify({ plugins: "./p.ts" }));
    const registry = await loadRegistry({
      cwd: dir,
      env: envFromRecord({}),
      projectConfig: await trusted(`${dir}/deeprepo.json`),
    });
    assertEquals(registry.errors.map((e) => e.message), [
      `config ${dir}/deeprepo.json: field plugins must be an array of strings`,
    ]);
  });
});

Deno.test("a deeprepo.json the caller did not pass as trusted is never read", async () => {
  await withTemp(async (dir) => {
    await writePlugin(
      dir,
      "proj.ts",
      pluginSource("proj", `[{ id: "p-1", pricing: { input: 1, output: 1 } }]`),
    );
    await Deno.writeTextFile(`${dir}/deeprepo.json`, JSON.stringify({ plugins: ["./proj.ts"] }));
    const registry = await loadRegistry({ cwd: dir, env: envFromRecord({}) });
    assertEquals(registry.errors, []);
    assertEquals(registry.plugins.map((p) => p.name), [
      "anthropic",
      "openrouter",
      "openai",
      "ollama",
    ]);
  });
});

Deno.test("a plugin named in two sources takes the higher-precedence place", async () => {
  await withTemp(async (dir) => {
    const shared = await writePlugin(
      dir,
      "shared.ts",
      pluginSource("shared", `[{ id: "s-1", aliases: ["fav"], pricing: { input: 1, output: 1 } }]`),
    );
    const env = await writePlugin(
      dir,
      "envp.ts",
      pluginSource("envp", `[{ id: "e-1", aliases: ["fav"], pricing: { input: 1, output: 1 } }]`),
    );
    const registry = await loadRegistry({
      cwd: dir,
      env: envFromRecord({ DEEPREPO_PLUGINS: `${shared},${env}` }),
      plugins: [shared],
    });
    assertEquals(registry.origins.slice(4), [
      { specifier: env, origin: "env" },
      { specifier: shared, origin: "flag" },
    ]);
    assertEquals(registry.resolve("fav").provider, "shared");
  });
});

Deno.test("plugins load from URLs (--plugin and a config file); a missing URL is an error entry", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(`${dir}/www`);
    await writePlugin(
      `${dir}/www`,
      "remote.ts",
      pluginSource("remote", `[{ id: "r-1", pricing: { input: 1, output: 1 } }]`),
    );
    await writePlugin(
      `${dir}/www`,
      "listed.ts",
      pluginSource("listed", `[{ id: "l-1", pricing: { input: 1, output: 1 } }]`),
    );
    const server = serveFolder(`${dir}/www`);
    try {
      await Deno.writeTextFile(
        `${dir}/deeprepo.json`,
        JSON.stringify({ plugins: [`${server.url}/listed.ts`] }),
      );
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--no-lock",
          new URL("./_url_registry_probe.ts", import.meta.url).pathname,
          dir,
          "r-1,l-1",
          `${server.url}/remote.ts`,
          `${server.url}/missing.ts`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert(out.success, new TextDecoder().decode(out.stderr));
      const probe = JSON.parse(new TextDecoder().decode(out.stdout));
      assertEquals(probe.providers, ["remote", "listed"]);
      assertEquals(probe.origins.slice(4), [`${server.url}/listed.ts`, `${server.url}/remote.ts`]);
      assertEquals(probe.errors.length, 1);
      assertMatch(probe.errors[0], new RegExp(`^plugin ${server.url}/missing\\.ts: cannot load: `));
    } finally {
      await server.close();
    }
  });
});
