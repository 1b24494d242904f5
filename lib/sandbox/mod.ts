/**
 * The sandboxed REPL: root-model code runs in a separate `deno` process with no permissions,
 * behind a second wall (a Worker stripped of every outward-facing global). The engine sees only
 * {@linkcode Repl}.
 *
 * @example
 * ```ts ignore
 * const repl = await createRepl({
 *   codebase: { "a.ts": "export const a = 1;\n" },
 *   fileTree: "a.ts",
 *   metadata: { repo_name: "demo" },
 *   onSubQuery: (prompts) => Promise.resolve(prompts.map((p) => `echo: ${p}`)),
 * });
 * const result = await repl.execute("print(Object.keys(codebase).length)");
 * console.log(result.output); // "1\n"
 * await repl.close();
 * ```
 *
 * @module
 */
import { SandboxRepl } from "./repl.ts";
import type { Repl, ReplOptions } from "./types.ts";

export type { ExecError, ExecResult, Repl, ReplOptions, SubQueryHandler } from "./types.ts";
export { REPL_DEFAULTS } from "./repl.ts";
export { needsMoreInput } from "./transform.ts";

/**
 * Starts a REPL process holding the codebase and waits until it is ready.
 *
 * @param options Codebase, file tree, metadata, the sub-query handler and limits.
 * @returns A ready REPL; call `close()` when done.
 * @throws {RunError} When the sandbox process cannot be started.
 */
export async function createRepl(options: ReplOptions): Promise<Repl> {
  const repl = new SandboxRepl(options);
  await repl.start();
  return repl;
}
