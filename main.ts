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
    const { createInterruptHandler } = await import("./lib/cli/interrupts.ts");
    const controller = new AbortController();
    // First Ctrl-C: stop gracefully and keep partial work. Second: leave now.
    const interrupts = createInterruptHandler({
      abort: () => controller.abort(new Error("interrupted")),
      exit: (code) => Deno.exit(code),
    });
    const onInterrupt = () => interrupts.onSignal();
    Deno.addSignalListener("SIGINT", onInterrupt);
    const ctx = {
      ...(await processContext(controller.signal)),
      interceptInterrupt: interrupts.intercept,
    };
    installCrashHandlers(ctx);
    const code = await runCli(Deno.args, ctx);
    Deno.removeSignalListener("SIGINT", onInterrupt);
    Deno.exit(code);
  }
}
