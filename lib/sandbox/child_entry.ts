/**
 * Entry of the sandbox process inside a `deno compile` binary, where there is no separate `deno`
 * to run a script: the binary re-executes itself with {@linkcode SANDBOX_MODE_ARG} as its first
 * argument, and `main.ts` calls {@linkcode runSandboxChild} before anything else.
 *
 * @module
 */
import { CHILD_LIMITS } from "./child_limits.ts";
import { relayMain } from "./child_relay.ts";
import { workerSource } from "./process.ts";

export { SANDBOX_MODE_ARG } from "./mode.ts";

const PERMISSIONS = ["read", "write", "net", "env", "run", "ffi", "sys", "import"] as const;

/** Revokes every permission kind this process holds (irreversible for the process). */
export async function revokeAllPermissions(): Promise<void> {
  for (const name of PERMISSIONS) {
    try {
      await Deno.permissions.revoke({ name } as Deno.PermissionDescriptor);
    } catch {
      // A permission kind this runtime does not know is not granted either.
    }
  }
}

/**
 * Runs this process as a sandbox child: revokes every permission, then serves the REPL protocol
 * on stdin/stdout until stdin closes (it then exits the process).
 *
 * `main.ts` must call it before anything else when `Deno.args[0] === SANDBOX_MODE_ARG`.
 */
export async function runSandboxChild(): Promise<void> {
  await revokeAllPermissions();
  relayMain(workerSource(), CHILD_LIMITS);
  await new Promise(() => {}); // The relay exits the process when the host closes stdin.
}
