/**
 * In-process fakes for analyze, baseline and compare: a provider plugin whose models answer from
 * scripts (through the real registry, pricing and retry wrapper), the engine tests' in-process
 * REPL, a memory cache, and the parsed options of a real command line.
 *
 * @module
 */
import type { RunDeps } from "../../../lib/cli/commands/run_deps.ts";
import { parseArgs } from "../../../lib/cli/program.ts";
import type { Invocation } from "../../../lib/cli/program.ts";
import { MemoryCache } from "../../../lib/cache/mod.ts";
import { loadRegistry, type ProviderPlugin } from "../../../lib/providers/mod.ts";
import { FakeRepl, type Scripted, ScriptedClient } from "../../engine/_fakes.ts";

/** Prices of the fake models, USD per 1M tokens. */
export const FAKE_PRICING = { input: 3, output: 15 };

/** Scripts of the fake plugin's models, by id (`root`, `sub`, `base`). */
export type Scripts = Partial<Record<"root" | "sub" | "base", Scripted[]>>;

/** What a test can inspect after a run. */
export interface FakeWorld {
  deps: RunDeps;
  /** The clients created so far, by model id (each run creates its own). */
  clients: Map<string, ScriptedClient>;
  repls: FakeRepl[];
  cache: MemoryCache;
}

/**
 * Dependencies whose registry holds only the `fake` provider (models `fake:root`, `fake:sub`,
 * `fake:base`, answering from `scripts`), whose REPL runs in-process, and whose cache is in
 * memory.
 */
export function fakeWorld(scripts: Scripts): FakeWorld {
  const clients = new Map<string, ScriptedClient>();
  const repls: FakeRepl[] = [];
  const cache = new MemoryCache();
  const plugin: ProviderPlugin = {
    name: "fake",
    models: ["root", "sub", "base"].map((id) => ({
      id,
      contextWindow: 200_000,
      pricing: FAKE_PRICING,
    })),
    createClient({ model }) {
      const client = new ScriptedClient(scripts[model as keyof Scripts] ?? []);
      clients.set(model, client);
      return client;
    },
  };
  const deps: RunDeps = {
    loadRegistry: (ctx, plugins) =>
      loadRegistry({
        cwd: ctx.cwd,
        env: ctx.env,
        plugins,
        builtins: [{
          specifier: "fake",
          origin: "built-in",
          load: () => Promise.resolve({ default: plugin }),
        }],
      }),
    createRepl: (options) => {
      const repl = new FakeRepl(options);
      repls.push(repl);
      return Promise.resolve(repl);
    },
    openCache: () => Promise.resolve(cache),
  };
  return { deps, clients, repls, cache };
}

type WithOptions = Extract<Invocation, { options: unknown }>;
type OptionsOf = { [I in WithOptions as I["command"]]: I["options"] };

/** The options of `deeprepo <argv>` as the real parser makes them (relative to `cwd`). */
export async function optionsOf<C extends keyof OptionsOf>(
  command: C,
  argv: string[],
  cwd: string,
): Promise<OptionsOf[C]> {
  const invocation = await parseArgs([command, ...argv], cwd, { out: () => {} });
  if (invocation.command !== command || !("options" in invocation)) {
    throw new Error(`parsed as ${invocation.command}`);
  }
  return invocation.options as OptionsOf[C];
}

/** The files in `dir`, sorted. */
export async function filesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}
