/**
 * deeprepo: analyze whole codebases with the Recursive Language Model pattern.
 *
 * Entry point of the CLI (and, in a compiled binary, of the sandbox child process).
 *
 * @module
 */
import { SANDBOX_MODE_ARG } from "./lib/sandbox/mode.ts";

if (import.meta.main) {
  if (Deno.args[0] === SANDBOX_MODE_ARG) {
    // A compiled binary re-executes itself as the REPL's isolated child process.
    const { runSandboxChild } = await import("./lib/sandbox/child_entry.ts");
    await runSandboxChild();
  } else {
    const { installCrashHandlers, processContext, runCli } = await import("./lib/cli/main.ts");
    const controller = new AbortController();
    const interceptors = new Set<() => boolean>();
    let interrupts = 0;
    const onInterrupt = () => {
      // A command may take Ctrl-C for itself (the interactive REPL stops only the execution).
      for (const intercept of interceptors) if (intercept()) return;
      interrupts++;
      // First Ctrl-C: stop gracefully and keep partial work. Second: leave now.
      if (interrupts === 1) controller.abort(new Error("interrupted"));
      else Deno.exit(130);
    };
    Deno.addSignalListener("SIGINT", onInterrupt);
    const ctx = {
      ...(await processContext(controller.signal)),
      interceptInterrupt(handler: () => boolean) {
        interceptors.add(handler);
        return () => interceptors.delete(handler);
      },
    };
    installCrashHandlers(ctx);
    const code = await runCli(Deno.args, ctx);
    Deno.removeSignalListener("SIGINT", onInterrupt);
    Deno.exit(code);
  }
}
