/**
 * Starting and stopping one sandbox process.
 *
 * The child is `deno run` with no `--allow-*` flag, `--no-prompt --no-remote --no-npm
 * --deny-import --no-config --no-lock`, a V8 heap limit and a cleared environment. Its program is
 * passed as a `data:` URL built from {@linkcode relayMain} and worker (`worker/source.ts`) source text, so
 * no file has to be loadable by the child — this works the same when deeprepo itself runs from a
 * local checkout, from an `https://` URL, or a cache. Under `deno compile` (no separate `deno` to
 * run) the binary re-executes itself with {@linkcode SANDBOX_MODE_ARG}; `main.ts` then calls
 * `runSandboxChild()`, which revokes every permission before anything else runs.
 *
 * @module
 */
import { builtinModules } from "node:module";
import { CHILD_LIMITS } from "./child_limits.ts";
import { relayMain } from "./child_relay.ts";
import { workerSource } from "./worker/source.ts";
import { SANDBOX_MODE_ARG } from "./mode.ts";
import { type FrameEvent, readFrames } from "./protocol.ts";

/** How a child process ended. */
export interface ChildExit {
  code: number;
  signal: string | null;
  /** The last few KB of the child's stderr (V8's "out of memory" message lands here). */
  stderrTail: string;
}

/** A running sandbox process. */
export interface ChildHandle {
  /** Writes bytes to the child's stdin; never throws (a dead child is reported by `exited`). */
  send(bytes: Uint8Array): Promise<void>;
  /** Kills the child with SIGKILL; safe to call twice. */
  kill(): void;
  /** Resolves when the process has ended and its output has been read. */
  exited: Promise<ChildExit>;
  pid: number;
}

/** How to start the child. */
export interface SpawnOptions {
  /** V8 old-space limit of the child in MB. */
  memoryLimitMb: number;
  /** The nonce the child will tag its frames with. */
  nonce: string;
  /** Receives every frame event from the child's stdout. */
  onEvent(event: FrameEvent): void;
  /** Longest accepted line from the child. */
  maxLineBytes?: number;
  /** Replaces {@linkcode childCommand} (tests of the `deno compile` path use it). */
  command?: ChildCommand;
}

/** A command line for the sandbox process. */
export interface ChildCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

let cachedUrl: string | undefined;
let cachedImportMap: string | undefined;

/**
 * `node:` built-ins that `builtinModules` does not list but Deno 2.9.6 loads (found by importing
 * every polyfill name its binary carries), and experimental ones a later Deno may enable.
 */
const UNLISTED_BUILTINS = [
  "_http_client",
  "_http_incoming",
  "_http_proxy",
  "_stream_wrap",
  "sea",
  "quic",
  "sqlite",
  "test",
  "test/mock_loader",
  "test/reporters",
  "stream/iter",
  "zlib/iter",
];

/** What every `node:` import resolves to in the sandbox process: a module that throws. */
export const DENIED_BUILTIN_MODULE = `data:text/javascript,${
  encodeURIComponent(
    'throw new TypeError("node: built-ins are not available in the deeprepo REPL: everything is ' +
      'in codebase");',
  )
}`;

/** Every `node:` specifier the sandbox process's import map sends to {@linkcode DENIED_BUILTIN_MODULE}. */
export function deniedBuiltins(): string[] {
  const names = new Set<string>();
  for (const name of [...builtinModules, ...UNLISTED_BUILTINS]) {
    names.add(`node:${name.replace(/^node:/, "")}`);
  }
  return [...names].sort();
}

/**
 * The sandbox process's import map as a `data:` URL: every `node:` built-in resolves to a module
 * that throws, so the module loader itself refuses them (the transform and the worker's guards
 * stand in front of it; this holds even if both are bypassed).
 */
export function importMapUrl(): string {
  if (!cachedImportMap) {
    const imports: Record<string, string> = {};
    for (const specifier of deniedBuiltins()) imports[specifier] = DENIED_BUILTIN_MODULE;
    cachedImportMap = `data:application/json,${encodeURIComponent(JSON.stringify({ imports }))}`;
  }
  return cachedImportMap;
}

export { workerSource };

/** Memory the sandbox runtime itself needs beyond heaps and buffers (measured: 1.1 GB idle). */
const RUNTIME_MB = 1536;

/**
 * The sandbox process's total memory limit in MB: what the operating system lets the whole
 * process hold as data (every isolate's heap, off-heap buffers, thread stacks, allocator arenas
 * together). Two V8 heaps (relay and worker, each capped at `memoryLimitMb`), the worker's live
 * buffer budget, and the runtime's own.
 */
export function totalMemoryLimitMb(memoryLimitMb: number): number {
  return 2 * Math.max(16, Math.floor(memoryLimitMb)) +
    CHILD_LIMITS.liveBufferBytes / (1024 * 1024) + RUNTIME_MB;
}

/**
 * Wraps a command so the operating system bounds the whole process's memory: on Linux,
 * `/bin/sh` sets RLIMIT_DATA (`ulimit -d`, which counts writable private memory but not the large
 * address-space reservations V8 makes and never touches, so unlike `ulimit -v` it does not stop
 * V8 from starting) and `exec`s the command, which keeps the pid. Going over it fails the
 * allocation: a buffer constructor throws a RangeError, a V8 heap that cannot grow ends the
 * process with "out of memory" — only the sandbox process. Elsewhere the command is returned
 * unchanged (macOS does not enforce RLIMIT_DATA; Windows has no rlimits): there the V8 heap
 * limit and the worker's buffer budget are the bounds.
 *
 * @param totalMb The limit in MB ({@linkcode totalMemoryLimitMb}).
 * @param os The operating system. @default Deno.build.os
 */
export function withMemoryLimit(
  command: ChildCommand,
  totalMb: number,
  os: string = Deno.build.os,
): ChildCommand {
  if (os !== "linux") return command;
  return {
    command: "/bin/sh",
    args: [
      "-c",
      'limit=$1; shift; ulimit -d "$limit" || exit 70; exec "$0" "$@"',
      command.command,
      String(Math.floor(totalMb * 1024)),
      ...command.args,
    ],
    env: command.env,
  };
}

/** The sandbox process's whole program as source text (relay + embedded worker source). */
export function childSource(): string {
  return `(${relayMain.toString()})(${JSON.stringify(workerSource())}, ${
    JSON.stringify(CHILD_LIMITS)
  });\n`;
}

function childUrl(): string {
  if (!cachedUrl) {
    const bytes = new TextEncoder().encode(childSource());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    cachedUrl = `data:text/javascript;base64,${btoa(binary)}`;
  }
  return cachedUrl;
}

/**
 * The command line of the child process.
 *
 * @param memoryLimitMb V8 old-space limit.
 * @param standalone True inside a `deno compile` binary. @default Deno.build.standalone
 */
export function childCommand(
  memoryLimitMb: number,
  standalone = Boolean((Deno.build as { standalone?: boolean }).standalone),
): ChildCommand {
  // --expose-gc: the worker takes `gc` off its global object before user code exists and uses it
  // to reclaim the budget of dead ArrayBuffers (see `worker/buffer_budget.ts`).
  const v8 = `--max-old-space-size=${Math.max(16, Math.floor(memoryLimitMb))},--expose-gc`;
  if (standalone) {
    return {
      command: Deno.execPath(),
      args: [SANDBOX_MODE_ARG],
      env: { NO_COLOR: "1", DENO_V8_FLAGS: v8, DENO_DIR: "/dev/null/deeprepo-sandbox" },
    };
  }
  return {
    command: Deno.execPath(),
    args: [
      "run",
      "--no-prompt",
      "--no-remote",
      "--no-npm",
      "--deny-import",
      "--no-config",
      "--no-lock",
      `--import-map=${importMapUrl()}`,
      "--quiet",
      `--v8-flags=${v8}`,
      childUrl(),
    ],
    // DENO_DIR under /dev/null can never be created: the Cache API (`caches`, which needs no
    // permission) then cannot write to disk. The child needs no cache: its program is a data: URL.
    env: { NO_COLOR: "1", DENO_DIR: "/dev/null/deeprepo-sandbox" },
  };
}

const STDERR_TAIL = 4096;

/**
 * Spawns a sandbox process and starts reading its stdout frames and stderr.
 *
 * @param options Memory limit, nonce and the frame callback.
 * @returns A handle; `exited` resolves when the child is gone.
 */
export function spawnChild(options: SpawnOptions): ChildHandle {
  const { command, args, env } = options.command ??
    withMemoryLimit(
      childCommand(options.memoryLimitMb),
      totalMemoryLimitMb(options.memoryLimitMb),
    );
  const child = new Deno.Command(command, {
    args,
    env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  };

  const frames = (async () => {
    try {
      for await (const event of readFrames(child.stdout, options.nonce, options.maxLineBytes)) {
        options.onEvent(event);
        if (event.kind === "violation") {
          kill();
          break;
        }
      }
    } catch {
      // A broken pipe ends reading; `status` says why.
    } finally {
      child.stdout.cancel().catch(() => {});
    }
  })();

  let tail = "";
  const stderr = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of child.stderr) {
        tail = (tail + decoder.decode(chunk, { stream: true })).slice(-STDERR_TAIL);
      }
    } catch {
      // Ignore: only the tail matters.
    }
  })();

  const exited = (async () => {
    const status = await child.status;
    killed = true;
    writer.close().catch(() => {});
    await Promise.all([frames, stderr]);
    return { code: status.code, signal: status.signal, stderrTail: tail };
  })();

  return {
    pid: child.pid,
    async send(bytes) {
      try {
        await writer.write(bytes);
      } catch {
        // The child is gone; `exited` reports it.
      }
    },
    kill,
    exited,
  };
}
