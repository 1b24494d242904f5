/**
 * The second wall on its own: a script run with the sandbox process's exact command line but
 * WITHOUT the worker hardening (it has the full `Deno` namespace) must still be denied files,
 * environment, network, subprocesses, FFI, KV and remote imports (27 attempts).
 */
import { assertEquals } from "../_helpers/assert.ts";
import {
  childCommand,
  deniedBuiltins,
  totalMemoryLimitMb,
  withMemoryLimit,
} from "../../lib/sandbox/process.ts";

const DENIED_MESSAGE =
  "node: built-ins are not available in the deeprepo REPL: everything is in codebase";

const ATTEMPTS = (port: number, tmp: string) => `
const url = "http://127.0.0.1:${port}/";
const results = {};
async function attempt(name, fn) {
  try {
    const value = await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 3000)),
    ]);
    results[name] = "ALLOWED " + String(value).slice(0, 80);
  } catch (e) {
    results[name] = "DENIED " + e.name + " " + String(e.message).slice(0, 60);
  }
}
await attempt("read", () => Deno.readTextFile("/etc/hostname"));
await attempt("write", () => Deno.writeTextFile(${JSON.stringify(`${tmp}/x`)}, "x"));
await attempt("env", () => Deno.env.get("PATH") ?? Promise.reject(new Error("empty")));
await attempt("process.env", () => process.env.PATH ?? Promise.reject(new Error("empty")));
await attempt("fetch file:", async () => (await fetch("file:///etc/hostname")).text());
await attempt("fetch", () => fetch(url));
await attempt("connect", () => Deno.connect({ hostname: "127.0.0.1", port: ${port} }));
await attempt("listen", () => Deno.listen({ port: 0 }));
await attempt("WebSocket", () => new Promise((resolve, reject) => {
  const ws = new WebSocket("ws://127.0.0.1:${port}/");
  ws.onopen = resolve;
  ws.onerror = () => reject(new Error("ws error"));
}));
await attempt("run", () => new Deno.Command("/usr/bin/id").output());
await attempt("ffi", () => Deno.dlopen("libc.so.6", {}));
await attempt("kv", () => Deno.openKv());
await attempt("kv with a path", () => Deno.openKv(${JSON.stringify(`${tmp}/kv.sqlite`)}));
await attempt("cache", async () => (await caches.open("x")).put(url, new Response("x")));
await attempt("permission request", async () => {
  const status = await Deno.permissions.request({ name: "read" });
  if (status.state !== "granted") throw new Error(status.state);
  return status.state;
});
await attempt("import http", () => import(url + "m.js"));
await attempt("import https", () => import("https://deno.land/std/version.ts"));
await attempt("import npm", () => import("npm:left-pad"));
await attempt("import jsr", () => import("jsr:@std/path"));
await attempt("data: with remote import", () => import("data:text/javascript,import '" + url + "x.js'"));
await attempt("blob: with remote import", () => import(URL.createObjectURL(
  new Blob(["import '" + url + "y.js'"], { type: "text/javascript" }),
)));
await attempt("node:fs read", async () => (await import("node:fs")).readFileSync("/etc/hostname"));
await attempt("node:fs write", async () => (await import("node:fs")).writeFileSync(${
  JSON.stringify(`${tmp}/y`)
}, "x"));
await attempt("node:child_process", async () => (await import("node:child_process")).execSync("/usr/bin/id"));
await attempt("node:net", async () => {
  const net = await import("node:net");
  await new Promise((res, rej) => {
    const s = net.connect(${port}, "127.0.0.1");
    s.on("connect", res);
    s.on("error", rej);
  });
});
await attempt("node:http", async () => {
  const http = await import("node:http");
  await new Promise((res, rej) => http.get(url, res).on("error", rej));
});
await attempt("worker fetch", () => new Promise((resolve, reject) => {
  const w = new Worker("data:text/javascript," + encodeURIComponent(
    "fetch('" + url + "').then(() => postMessage('ok'), (e) => postMessage('denied ' + e.name))",
  ), { type: "module" });
  w.onmessage = (e) => { w.terminate(); e.data === "ok" ? resolve(e.data) : reject(new Error(e.data)); };
}));
console.log(JSON.stringify(results));
`;

async function assertAllDenied(extraFlags: string[]) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        connections++;
        conn.close();
      }
    } catch {
      // Closed below.
    }
  })();
  const tmp = await Deno.makeTempDir();
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const { command, args, env } = childCommand(256, false);
    const script = `data:text/javascript;base64,${btoa(ATTEMPTS(port, tmp))}`;
    const out = await new Deno.Command(command, {
      args: [...args.slice(0, 1), ...extraFlags, ...args.slice(1, -1), script],
      env,
      clearEnv: true,
      stdin: "null",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const results: Record<string, string> = JSON.parse(stdout.trim().split("\n").at(-1)!);
    assertEquals(Object.keys(results).length, 27, stdout);
    const allowed = Object.entries(results).filter(([, v]) => !v.startsWith("DENIED"));
    assertEquals(allowed, [], JSON.stringify(results));
    assertEquals([...Deno.readDirSync(tmp)].length, 0);
    await new Promise((r) => setTimeout(r, 50));
    assertEquals(connections, 0);
  } finally {
    listener.close();
    await accepting;
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test("the sandbox process denies everything even to code that still holds Deno", async () => {
  await assertAllDenied([]);
});

// A compiled deeprepo binary carries its unstable features (KV among them) into the sandbox
// child: `Deno.openKv` then exists there, and must still reach nothing.
Deno.test("the sandbox process denies KV and the rest with --unstable-kv too", async () => {
  await assertAllDenied(["--unstable-kv"]);
});

Deno.test("a sandbox process that kills itself ends only itself", async () => {
  const { command, args, env } = childCommand(128, false);
  const script = `data:text/javascript,${encodeURIComponent('Deno.kill(Deno.pid, "SIGKILL");')}`;
  const status = await new Deno.Command(command, {
    args: [...args.slice(0, -1), script],
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  assertEquals(status.signal, "SIGKILL");
});

// #18 finding 3, behind every other wall: even code that holds the full Deno namespace (as if
// the transform and the worker's guards were both bypassed) cannot load a node: built-in, in the
// main thread or in a worker, under any spelling the URL parser normalises.
Deno.test("the sandbox process's module loader refuses every node: built-in", async () => {
  const specifiers = [
    ...deniedBuiltins(),
    "NODE:fs",
    " node:worker_threads",
    "node:child_process ",
    "node:\tv8",
    "node:wor\nker_threads",
  ];
  const script = `const loaded = [];
for (const s of ${JSON.stringify(specifiers)}) {
  try { await import(s); loaded.push(s); } catch (e) {
    if (!/not available in the deeprepo REPL/.test(e.message)) loaded.push(s + ": " + e.message);
  }
}
const w = new Worker(URL.createObjectURL(new Blob([
  "import('node:worker_threads').then(() => postMessage('loaded'), (e) => postMessage(e.message))",
], { type: "text/javascript" })), { type: "module" });
w.onmessage = (e) => { console.log(JSON.stringify({ loaded, worker: e.data })); w.terminate(); };`;
  const { command, args, env } = childCommand(256, false);
  const out = await new Deno.Command(command, {
    args: [...args.slice(0, -1), `data:text/javascript;base64,${btoa(script)}`],
    env,
    clearEnv: true,
    stdin: "null",
  }).output();
  const result = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  assertEquals(result.loaded, []);
  assertEquals(result.worker, DENIED_MESSAGE);
  assertEquals(specifiers.length > 70, true);
});

// #18 finding 3: three sub-workers and Buffer.alloc took the child to 3.3 GB under a 1 GB heap
// limit, because the heap limit is per isolate and buffers live outside it. The operating
// system's limit bounds the whole process: here code holding the full Deno namespace starts
// workers that each allocate as much as they can; the process's data never exceeds the limit,
// and running out ends only the child.
Deno.test({
  name:
    "the sandbox process's total memory is bounded by the OS, all isolates and buffers together",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const heapMb = 64;
    const limitMb = totalMemoryLimitMb(heapMb);
    const script = `
const src = "const keep = []; let mb = 0; try { for (let i = 0; i < 512; i++) { keep.push(new Uint8Array(64 * 1024 * 1024)); mb += 64; } } catch {} postMessage(mb); setInterval(() => keep.length, 1000);";
let total = 0;
for (let w = 0; w < 4; w++) {
  const worker = new Worker(URL.createObjectURL(new Blob([src], { type: "text/javascript" })), { type: "module" });
  total += await new Promise((r) => { worker.onmessage = (e) => r(e.data); worker.onerror = (e) => { e.preventDefault(); r(0); }; });
}
const keep = [];
try { for (let i = 0; i < 512; i++) { keep.push(new Uint8Array(64 * 1024 * 1024)); total += 64; } } catch {}
console.log(JSON.stringify({ total }));`;
    const base = childCommand(heapMb, false);
    const { command, args, env } = withMemoryLimit({
      ...base,
      args: [...base.args.slice(0, -1), `data:text/javascript;base64,${btoa(script)}`],
    }, limitMb);
    const child = new Deno.Command(command, {
      args,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
        peakKb = Math.max(peakKb, Number(/VmData:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        // Gone.
      }
    }, 10);
    const out = await child.output();
    clearInterval(poll);
    const limits = "the limit applies to the child, not to this test process";
    assertEquals(
      Deno.readTextFileSync("/proc/self/limits").includes(String(limitMb * 1024 * 1024)),
      false,
      limits,
    );
    assertEquals(
      peakKb > 0 && peakKb <= limitMb * 1024,
      true,
      `peak ${peakKb} KB, limit ${limitMb} MB`,
    );
    const line = new TextDecoder().decode(out.stdout).trim();
    // Either every allocation beyond the limit was refused (and the total stayed under it), or
    // a new isolate could not get memory and the child ended; never more than the limit.
    if (out.success) assertEquals(JSON.parse(line).total < limitMb, true, line);
    else assertEquals(out.code !== 0 || out.signal !== null, true);
  },
});
