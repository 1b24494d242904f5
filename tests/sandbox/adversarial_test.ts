/**
 * Adversarial suite: code that a prompt-injected root model might write, run inside the REPL.
 * Every attempt must be denied; nothing network-shaped may reach a loopback listener; after each
 * fatal attempt the next execution must work.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { createRepl } from "../../lib/sandbox/mod.ts";
import type { Repl, ReplOptions } from "../../lib/sandbox/types.ts";

interface Case {
  name: string;
  /** Body of an async function; denial means it throws (or is refused before running). */
  code: string;
}

function baseOptions(overrides: Partial<ReplOptions> = {}): ReplOptions {
  return {
    codebase: { "a.ts": "import x from 'y';\n", "b.ts": "export const b = 1;\n" },
    fileTree: "a.ts\nb.ts",
    metadata: { repo_name: "target" },
    onSubQuery: (prompts) => Promise.resolve(prompts.map(() => "ok")),
    execTimeoutSeconds: 10,
    memoryLimitMb: 256,
    ...overrides,
  };
}

/** Wraps a case body so the outcome is one line of output: DENIED ... or ALLOWED ... */
function probe(body: string): string {
  return `let __outcome, __value, __denied = false;
try {
  __value = await Promise.race([
    (async () => {\n${body}\n})(),
    new Promise((_, reject) => setTimeout(() => reject(new Error("no answer in 5 s")), 5000)),
  ]);
} catch (e) {
  __denied = true;
  __outcome = "DENIED " + (e?.name ?? "?") + ": " + String(e?.message ?? e).slice(0, 200);
}
// Outside the try: a value that cannot be turned into a string (a module namespace) must not
// count as a denial.
if (!__denied) {
  let text;
  try { text = String(__value); } catch { text = Object.prototype.toString.call(__value); }
  __outcome = "ALLOWED " + text.slice(0, 200);
}
print(__outcome);`;
}

function startListener() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const state = { connections: 0 };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        state.connections++;
        conn.close();
      }
    } catch {
      // Closed by the test.
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    state,
    async close() {
      listener.close();
      await accepting;
    },
  };
}

function cases(port: number, tmp: string): Case[] {
  const url = `http://127.0.0.1:${port}`;
  const file = `${tmp}/written.txt`;
  return [
    { name: "file read via Deno", code: `return await Deno.readTextFile("/etc/hostname");` },
    {
      name: "file write via Deno",
      code: `await Deno.writeTextFile(${JSON.stringify(file)}, "x");`,
    },
    {
      name: "file read via node:fs",
      code: `const fs = await import("node:fs"); return fs.readFileSync("/etc/hostname", "utf8");`,
    },
    {
      name: "file write via node:fs",
      code: `const fs = await import("node:fs"); fs.writeFileSync(${JSON.stringify(file)}, "x");`,
    },
    {
      name: "fetch(file:)",
      code: `return await (await fetch("file:///etc/hostname")).text();`,
    },
    { name: "env via Deno.env", code: `return Deno.env.get("PATH");` },
    { name: "env via process.env", code: `return process.env.PATH;` },
    { name: "env via globalThis.process", code: `return globalThis.process.env.HOME;` },
    { name: "fetch to loopback", code: `return await fetch(${JSON.stringify(url)});` },
    {
      name: "WebSocket to loopback",
      code: `const ws = new WebSocket("ws://127.0.0.1:${port}/");
        await new Promise((res, rej) => { ws.onopen = res; ws.onerror = () => rej(new Error("ws error")); });`,
    },
    { name: "EventSource to loopback", code: `return new EventSource(${JSON.stringify(url)});` },
    {
      name: "Deno.connect to loopback",
      code: `return await Deno.connect({ hostname: "127.0.0.1", port: ${port} });`,
    },
    { name: "Deno.listen", code: `return Deno.listen({ hostname: "127.0.0.1", port: 0 });` },
    {
      name: "node:net to loopback",
      code: `const net = await import("node:net");
        await new Promise((res, rej) => { const s = net.connect(${port}, "127.0.0.1"); s.on("connect", res); s.on("error", rej); });`,
    },
    {
      name: "node:http to loopback",
      code: `const http = await import("node:http");
        await new Promise((res, rej) => http.get(${JSON.stringify(url)}, res).on("error", rej));`,
    },
    { name: "import() of http", code: `return await import(${JSON.stringify(`${url}/m.js`)});` },
    {
      name: "import() of https deno.land",
      code: `return await import("https://deno.land/std/version.ts");`,
    },
    {
      name: "import() of https jsr.io",
      code: `return await import("https://jsr.io/@std/path/mod.ts");`,
    },
    { name: "import() of https esm.sh", code: `return await import("https://esm.sh/left-pad");` },
    {
      name: "import() of https raw.githubusercontent.com",
      code: `return await import("https://raw.githubusercontent.com/a/b/main/mod.ts");`,
    },
    {
      name: "import() of https cdn.jsdelivr.net",
      code: `return await import("https://cdn.jsdelivr.net/npm/left-pad/index.js");`,
    },
    { name: "import() of npm:", code: `return await import("npm:left-pad");` },
    { name: "import() of jsr:", code: `return await import("jsr:@std/path");` },
    { name: "import() of node:", code: `return await import("node:child_process");` },
    {
      name: "import() of a data: module with a remote static import",
      code: `return await import("data:text/javascript,import '${url}/x.js'");`,
    },
    {
      name: "import() of a blob: module with a remote static import",
      code:
        `const u = URL.createObjectURL(new Blob(["import '${url}/x.js'"], { type: "text/javascript" }));
        return await import(u);`,
    },
    { name: "subprocess via Deno.Command", code: `return await new Deno.Command("id").output();` },
    {
      name: "subprocess via node:child_process",
      code: `const cp = await import("node:child_process"); return cp.execSync("id");`,
    },
    { name: "FFI via Deno.dlopen", code: `return Deno.dlopen("libc.so.6", {});` },
    { name: "Deno.openKv() without a path", code: `return await Deno.openKv();` },
    {
      name: "Deno.openKv() with a path",
      code: `return await Deno.openKv(${JSON.stringify(`${tmp}/kv.sqlite`)});`,
    },
    { name: "caches", code: `return await caches.open("x");` },
    {
      name: "Deno.permissions.request",
      code: `return await Deno.permissions.request({ name: "read" });`,
    },
    {
      name: "nested Worker",
      code: `return new Worker("data:text/javascript,postMessage(1)", { type: "module" });`,
    },
    { name: "eval route to Deno", code: `return eval("Deno.readTextFileSync('/etc/hostname')");` },
    {
      name: "indirect eval route to fetch",
      code: `return await (0, eval)("fetch")(${JSON.stringify(url)});`,
    },
    {
      name: "Function route to the global object's Deno",
      code: `return Function("return this")().Deno.env.get("PATH");`,
    },
    {
      name: "Function route to import()",
      code: `return await new Function("return import /* hidden */ ('node:fs')")();`,
    },
    {
      name: "eval route to import() built from pieces",
      code: `return await eval("imp" + "ort('node:fs')");`,
    },
    {
      name: "async-function constructor route to import()",
      code: `const AsyncFunction = (async function () {}).constructor;
        return await new AsyncFunction("return await import('node:net')")();`,
    },
    {
      name: "eval route to import() hidden behind an HTML-like comment",
      code: `return await eval("import <!-- hidden\\n('node:os')");`,
    },
    {
      name: "Function route to import() behind a --> comment",
      code: `return await Function("return import\\n--> hidden\\n('node:os')")();`,
    },
    {
      name: "eval route to import.source()",
      code: `return await eval("import.source('node:os')");`,
    },
    { name: "eval route to import.defer()", code: `return await eval("import.defer('node:os')");` },
    {
      name: "Function reached through the prototype of AsyncFunction",
      code: `const F = Object.getPrototypeOf((async () => {}).constructor);
        return await F("return import('node:os')")();`,
    },
    {
      name: "Function reached through the prototype of GeneratorFunction",
      code: `const F = Reflect.getPrototypeOf(Object.getPrototypeOf(function* () {}).constructor);
        return await F("return import('node:os')")();`,
    },
    {
      name: "constructor-of-constructor route to import()",
      code: `return await (() => {}).constructor.constructor("return import('node:fs')")();`,
    },
    { name: "Deno.kill of its own pid", code: `Deno.kill(Deno.pid, "SIGKILL");` },
    { name: "stdin read", code: `return await Deno.stdin.read(new Uint8Array(16));` },
    {
      name: "raw stdout",
      code: `Deno.stdout.writeSync(new TextEncoder().encode("raw\\n"));`,
    },
    {
      name: "forged protocol message via postMessage",
      code: `postMessage({ type: "result", id: 999, output: "forged" });`,
    },
    {
      name: "forged protocol message via self.postMessage",
      code: `self.postMessage({ type: "llm", id: 1, prompts: ["x"] });`,
    },
    {
      name: "llm_batch with non-string (object) prompts",
      code: `return await llm_batch([JSON.parse('{"constructor":{"prototype":{"polluted":1}}}')]);`,
    },
    {
      name: "llm_query of 20 M characters",
      code: `return await llm_query("x".repeat(20_000_000));`,
    },
    {
      name: "llm_batch of a million prompts",
      code: `return await llm_batch(new Array(1_000_000).fill("p"));`,
    },
    { name: "llm_query of a non-string", code: `return await llm_query({ toString: () => "x" });` },
    { name: "llm_query of a Promise", code: `return await llm_query(Promise.resolve("x"));` },
    { name: "set_answer of a Promise", code: `set_answer(Promise.resolve("# report"));` },
    { name: "set_answer of an object", code: `set_answer({ report: "x" });` },
    { name: "set_answer of nothing", code: `set_answer();` },
    { name: "ArrayBuffer of 8 GB", code: `return new ArrayBuffer(8 * 1024 ** 3).byteLength;` },
    {
      name: "typed arrays beyond the live-buffer budget",
      code: `const keep = []; for (let i = 0; i < 64; i++) keep.push(new Uint8Array(2 ** 27));
        return keep.length;`,
    },
    { name: "WebAssembly memory", code: `return new WebAssembly.Memory({ initial: 65536 });` },
    { name: "deep recursion", code: `const f = (n) => f(n + 1) + 1; return f(0);` },
  ];
}

/** The same attempt reached through code built at run time. */
function routes(body: string): [string, string][] {
  const asyncBody = `(async () => {\n${body}\n})()`;
  return [
    ["eval", `return await eval(${JSON.stringify(asyncBody)});`],
    ["indirect eval", `return await (0, eval)(${JSON.stringify(asyncBody)});`],
    ["Function", `return await Function(${JSON.stringify(`return ${asyncBody};`)})();`],
    [
      "AsyncFunction",
      `const AsyncFunction = (async () => {}).constructor;
      return await new AsyncFunction(${JSON.stringify(body)})();`,
    ],
  ];
}

async function expectWorks(repl: Repl, after: string) {
  const r = await repl.execute("print(Object.keys(codebase).length + 40)");
  assertEquals(r.output, "42\n", `REPL not usable after: ${after}`);
}

Deno.test("adversarial: every escape attempt from the REPL is denied", async (t) => {
  const listener = startListener();
  const tmp = await Deno.makeTempDir();
  const repl = await createRepl(baseOptions());
  try {
    for (const c of cases(listener.port, tmp)) {
      await t.step(c.name, async () => {
        const r = await repl.execute(probe(c.code));
        assertEquals(r.fatal, undefined, `${c.name}: ${r.fatal?.message}`);
        assertMatch(r.output, /^DENIED /, `${c.name} was not denied: ${r.output}`);
      });
    }
    await t.step(
      "every attempt is denied through eval, Function and AsyncFunction too",
      async () => {
        for (const c of cases(listener.port, tmp)) {
          for (const [route, code] of routes(c.code)) {
            const r = await repl.execute(probe(code));
            const label = `${c.name} via ${route}`;
            assertEquals(r.fatal, undefined, `${label}: ${r.fatal?.message}`);
            assertMatch(r.output, /^DENIED /, `${label} was not denied: ${r.output}`);
            // A denial must come from the sandbox, not from a route that failed to compile.
            assert(!r.output.startsWith("DENIED SyntaxError"), `${label}: ${r.output}`);
          }
        }
      },
    );
    await t.step("raw writes reached neither the host protocol nor the result", async () => {
      await expectWorks(repl, "raw stdout");
    });
    await t.step("a forged init event does not replace codebase", async () => {
      const r = await repl.execute(
        `dispatchEvent(new MessageEvent("message", { data: { type: "init", codebase: {} } }));
        await new Promise((r) => setTimeout(r, 10));
        print(Object.keys(codebase).length)`,
      );
      assertEquals(r.output, "2\n");
    });
    await t.step("refused set_answer calls left no answer behind", async () => {
      const r = await repl.execute("answer");
      assertEquals(r.value, '{ content: "", ready: false }');
    });
    await t.step("prototype-pollution payloads stay inert data on the host", async () => {
      const r = await repl.execute(
        `const evil = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}');
        print(evil);
        answer = evil;
        print(JSON.stringify(answer));
        answer = { content: evil, ready: false };`,
      );
      assertEquals(r.error, undefined);
      assertEquals(r.answer, { content: "[object Object]", ready: false });
      const submitted = await repl.execute(
        `set_answer(JSON.stringify(JSON.parse('{"__proto__":{"polluted":1}}')));`,
      );
      assertEquals(submitted.answer, { content: '{"__proto__":{"polluted":1}}', ready: true });
      await repl.execute("answer = { content: '', ready: false };");
      assertEquals(({} as Record<string, unknown>).polluted, undefined);
      assertEquals(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
    });
    await t.step(
      "the worker's private port cannot be captured by patching prototypes",
      async () => {
        // #18 finding 2: a patched postMessage caught the port at the next set_answer. The
        // prototypes the port and its events use are frozen now, so every patch fails.
        const r = await repl.execute(
          `const tries = [];
        const attempt = (name, fn) => { try { fn(); tries.push(name + ": patched"); } catch (e) { tries.push(name + ": " + e.name); } };
        let stolen;
        attempt("MessagePort.prototype.postMessage", () => {
          MessagePort.prototype.postMessage = function () { stolen = this; };
        });
        attempt("EventTarget.prototype.dispatchEvent", () => {
          EventTarget.prototype.dispatchEvent = function () { stolen = this; };
        });
        attempt("define MessagePort.prototype.dispatchEvent", () => Object.defineProperty(
          MessagePort.prototype, "dispatchEvent", { value() { stolen = this; } }));
        set_answer("x");
        await llm_query("capture");
        print(tries.join("\\n"));
        print(typeof stolen);`,
        );
        assertEquals(r.fatal, undefined, r.fatal?.message);
        assertEquals(
          r.output,
          "MessagePort.prototype.postMessage: TypeError\nEventTarget.prototype.dispatchEvent: " +
            "TypeError\ndefine MessagePort.prototype.dispatchEvent: TypeError\nundefined\n",
        );
        await expectWorks(repl, "port capture attempts");
      },
    );
    await t.step(
      "no route from the global object reaches Deno or an unguarded Function",
      async () => {
        // Walks everything reachable from the global object (own string and Symbol keys,
        // non-enumerable ones, getters, prototypes) and from the function kinds whose constructors
        // evaluate code. A removed global left under another name, or an original constructor left
        // behind a prototype, is found here even where the direct name is gone.
        const r = await repl.execute(`
        const forbidden = new Set(["Deno", "process", "fetch", "WebSocket", "WebSocketStream",
          "EventSource", "Worker", "caches", "BroadcastChannel", "postMessage", "importScripts",
          "WebAssembly", "readTextFile", "readFileSync", "openKv", "dlopen", "Command", "listen",
          "connect", "kill", "stdin", "stdout", "permissions", "navigator", "location", "gc", "ImageData", "CompressionStream", "DecompressionStream"]);
        // MessagePort.prototype.postMessage is the legitimate MessageChannel method.
        const portMethods = new Set([MessagePort.prototype]);
        const found = [];
        const seen = new Set();
        const queue = [[globalThis, "globalThis"], [async () => {}, "async"], [function* () {}, "gen"],
          [async function* () {}, "asyncgen"], [Function("return this")(), "Function(this)"],
          [(0, eval)("this"), "eval(this)"]];
        let evaluators = 0;
        while (queue.length && seen.size < 100000) {
          const [node, path] = queue.shift();
          if (node === null || (typeof node !== "object" && typeof node !== "function")) continue;
          if (seen.has(node)) continue;
          seen.add(node);
          if (typeof node === "function" && /^(Async)?(Generator)?Function$/.test(node.name)) {
            evaluators++;
            try {
              node("return import('node:os')");
              found.push(path + ": evaluates import()");
            } catch (e) {
              if (!/not allowed/.test(e.message)) found.push(path + ": " + e.message);
            }
          }
          queue.push([Object.getPrototypeOf(node), path + ".__proto__"]);
          for (const key of Reflect.ownKeys(node)) {
            const name = String(key);
            let d;
            try { d = Object.getOwnPropertyDescriptor(node, key); } catch { continue; }
            if (!d) continue;
            // A non-configurable global (gc) cannot be deleted, only emptied.
            const empty = "value" in d && d.value === undefined && !d.writable;
            if (forbidden.has(name) && !portMethods.has(node) && !empty) found.push(path + "." + name);
            if ("value" in d) queue.push([d.value, path + "." + name]);
            else {
              queue.push([d.get, path + ".get " + name]);
              try { queue.push([d.get?.call(node), path + "." + name]); } catch { /* wrong receiver */ }
            }
          }
        }
        print(JSON.stringify({ found, evaluators, seen: seen.size }));`);
        assertEquals(r.error, undefined, r.error?.message);
        const report = JSON.parse(r.output);
        assertEquals(report.found, []);
        assert(
          report.evaluators >= 4,
          `only ${report.evaluators} code-evaluating constructors met`,
        );
        assert(report.seen > 1000, `the walk saw only ${report.seen} objects`);
      },
    );
    await t.step("stack traces name no host path", async () => {
      const r = await repl.execute(`
        const names = [];
        Error.prepareStackTrace = (_e, sites) => sites.map((s) => String(s.getFileName()));
        const nested = () => { throw new Error("x"); };
        try { nested(); } catch (e) { names.push(...e.stack); }
        await llm_query("q").then(() => { try { nested(); } catch (e) { names.push(...e.stack); } });
        await new Promise((resolve) => setTimeout(() => {
          try { nested(); } catch (e) { names.push(...e.stack); }
          resolve();
        }, 0));
        Error.prepareStackTrace = undefined;
        try { null.x; } catch (e) { names.push(e.stack); }
        print(JSON.stringify(names));`);
      assertEquals(r.error, undefined, r.error?.message);
      const text = r.output;
      assert(text.includes("deeprepo-exec-"), text);
      for (const hostPath of [Deno.cwd(), "file:", Deno.env.get("HOME") ?? "/root", tmp]) {
        assert(!text.includes(hostPath), `stack names ${hostPath}: ${text}`);
      }
    });
    await t.step("timers and sub-model calls end with their execution", async () => {
      const first = await repl.execute(`
        globalThis.ticks = 0;
        setInterval(() => { ticks++; print("late interval"); }, 1);
        for (let i = 0; i < 10000; i++) setTimeout(() => print("late storm"), i % 50);
        setTimeout(() => { while (true) {} }, 0);
        globalThis.notAwaited = llm_query("left running");
        print("first done");`);
      assertEquals(first.output, "first done\n");
      const second = await repl.execute(`
        await new Promise((resolve) => setTimeout(resolve, 100));
        print("ticks", ticks);
        try { await notAwaited; } catch (e) { print(e.message); }`);
      assertEquals(second.fatal, undefined, second.fatal?.message);
      assertEquals(
        second.output,
        "ticks 0\nllm_query/llm_batch was not awaited: its execution ended before the answer came\n",
      );
      const cleared = await repl.execute(`
        const id = setTimeout(() => print("never"), 0); clearTimeout(id);
        await new Promise((resolve) => setTimeout(resolve, 20)); print("ok")`);
      assertEquals(cleared.output, "ok\n");
    });
    await t.step("100 MB of output is counted, not kept", async () => {
      const r = await repl.execute("for (let i = 0; i < 100; i++) print('x'.repeat(1024 * 1024));");
      assertEquals(r.outputChars, 100 * (1024 * 1024 + 1));
      assert(r.output.length <= 1_000_000);
    });
    await t.step("nothing was written and nothing connected", async () => {
      assertEquals([...Deno.readDirSync(tmp)].length, 0);
      await new Promise((r) => setTimeout(r, 50));
      assertEquals(listener.state.connections, 0);
    });
  } finally {
    await repl.close();
    await listener.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("adversarial: endless loops are stopped at the timeout and the next execution works", async (t) => {
  const repl = await createRepl(baseOptions({ execTimeoutSeconds: 2, memoryLimitMb: 128 }));
  try {
    await t.step("while (true) {}", async () => {
      const r = await repl.execute("while (true) {}");
      assertEquals(r.fatal?.kind, "timeout");
      await expectWorks(repl, "endless loop");
    });
    await t.step("catastrophic regex", async () => {
      const r = await repl.execute("/(a+)+$/.test('a'.repeat(64) + 'b')");
      assertEquals(r.fatal?.kind, "timeout");
      await expectWorks(repl, "catastrophic regex");
    });
    await t.step("Atomics.wait on a SharedArrayBuffer", async () => {
      const r = await repl.execute("Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)");
      assertEquals(r.fatal?.kind, "timeout");
      await expectWorks(repl, "Atomics.wait");
    });
    await t.step(
      "a promise loop left running blocks the next execution, which says so",
      async () => {
        const left = await repl.execute(
          "(async () => { while (true) await null; })(); print('left')",
        );
        assertEquals(left.output, "left\n");
        const blocked = await repl.execute("print('never runs')");
        assertEquals(blocked.fatal?.kind, "timeout");
        assertMatch(blocked.fatal!.message, /before it could start .*earlier execution/);
        assertEquals(blocked.output, "");
        await expectWorks(repl, "promise loop");
      },
    );
  } finally {
    await repl.close();
  }
});

Deno.test("adversarial: memory attacks end only the REPL process and the next execution works", async (t) => {
  // A generous timeout: on a loaded machine the heap must fill before the clock runs out.
  const repl = await createRepl(baseOptions({ execTimeoutSeconds: 60, memoryLimitMb: 128 }));
  try {
    await t.step("memory blowup", async () => {
      const r = await repl.execute(
        "const hog = [];\nlet i = 0;\nwhile (true) hog.push(new Array(1 << 20).fill(i++));",
      );
      assertEquals(r.fatal?.kind, "crash");
      assertMatch(r.fatal!.message, /out of memory/);
      await expectWorks(repl, "memory blowup");
    });
    await t.step("structuredClone copies count against the live-buffer budget", async () => {
      // Resizable buffers are charged at their maximum, so this needs almost no real memory.
      const r = await repl.execute(`{
        const growable = new ArrayBuffer(1, { maxByteLength: 2 ** 28 });
        const copies = [];
        try { for (let i = 0; i < 8; i++) copies.push(structuredClone(growable)); }
        catch (e) { print(e.name); }
        print(copies.length, copies[0]?.maxByteLength);
      }`);
      assertEquals(r.output, "RangeError\n3 268435456\n");
      // The wrapped copy routes still work for ordinary use.
      const ordinary = await repl.execute(`
        const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc"));
        print(digest.byteLength, Uint8Array.fromBase64("AQID").join(","),
          structuredClone(new Map([["k", new Uint8Array([7])]])).get("k")[0]);`);
      assertEquals(ordinary.output, "32 1,2,3 7\n");
    });
    await t.step("the budget of dropped buffers comes back for the next execution", async () => {
      const full = await repl.execute(`
        let held = [];
        try { for (let i = 0; i < 8; i++) held.push(new ArrayBuffer(1, { maxByteLength: 2 ** 28 })); }
        catch (e) { print(e.name, held.length); }
        held = null;`);
      assertMatch(full.output, /^RangeError [34]\n$/);
      const next = await repl.execute("new Uint8Array(2 ** 20).length");
      assertEquals(next.error, undefined, next.error?.message);
      assertEquals(next.value, "1048576");
    });
    await t.step("a 500 MB message", async () => {
      const r = await repl.execute("await llm_query('x'.repeat(500 * 1024 * 1024))");
      // Either refused as an error (string or size limit) or the process ran out of memory.
      assert(r.error !== undefined || r.fatal?.kind === "crash", JSON.stringify(r).slice(0, 300));
      await expectWorks(repl, "500 MB message");
    });
  } finally {
    await repl.close();
  }
});
