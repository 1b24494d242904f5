/**
 * Adversarial suite, round 2 (#18): the attacks that broke the inner wall, exactly as reported
 * and in variants, plus the prototype and realm tricks found while fixing them. Each must be
 * refused inside the REPL, and the REPL must keep working.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { createRepl } from "../../lib/sandbox/mod.ts";
import type { Repl, ReplOptions } from "../../lib/sandbox/types.ts";

function options(overrides: Partial<ReplOptions> = {}): ReplOptions {
  return {
    codebase: { "a.ts": "export const a = 1;\n", "b.ts": "export const b = 2;\n" },
    fileTree: "a.ts\nb.ts",
    metadata: { repo_name: "target" },
    onSubQuery: (prompts) => Promise.resolve(prompts.map(() => "ok")),
    execTimeoutSeconds: 20,
    memoryLimitMb: 256,
    ...overrides,
  };
}

async function expectWorks(repl: Repl, after: string) {
  const r = await repl.execute("print(Object.keys(codebase).length + 40)");
  assertEquals(r.output, "42\n", `REPL not usable after: ${after}`);
}

/** Runs `code`; it must not print `LEAK` and must not end the process. */
async function expectNoLeak(repl: Repl, name: string, code: string) {
  const r = await repl.execute(code);
  assertEquals(r.fatal, undefined, `${name}: ${r.fatal?.message}`);
  assert(!r.output.includes("LEAK"), `${name}: ${r.output}`);
  return r;
}

Deno.test("round 2: Annex B HTML-like comments cannot smuggle an import past the host", async () => {
  const repl = await createRepl(options());
  try {
    // #18 finding 1, exactly as reported (it printed 22: node:worker_threads had loaded).
    const exact = await repl.execute(
      '0 <!--y; s = `\nprint(Object.keys(await import("node:worker_threads")).length)\n//`',
    );
    assertEquals(exact.output, "");
    assertEquals(exact.error?.name, "SyntaxError");
    for (const specifier of ["node:sqlite", "node:buffer", "node:v8", "node:child_process"]) {
      const r = await repl.execute(
        `0 <!--y; s = \`\nprint("LEAK", Object.keys(await import("${specifier}")).length)\n//\``,
      );
      assertEquals(r.error?.name, "SyntaxError", specifier);
      assert(!r.output.includes("LEAK"));
    }
    for (
      const code of [
        'x = 1\u2028--> s = `\nprint("LEAK", await import("node:os"))\n//`',
        'x = 1 /*\n*/ --> s = `\nprint("LEAK", await import("node:os"))\n//`',
        'const n: number = 0 <!--y; s = `\nprint("LEAK", await import("node:os"))\n//`',
      ]
    ) {
      const r = await repl.execute(code);
      assertEquals(r.error?.name, "SyntaxError", code);
    }
    // The same comments inside run-time code meet the eval guard, then the module loader.
    const built = await repl.execute(
      `try { print("LEAK", await eval("0 <!--y\\nimport('node:os')")); } catch (e) { print(e.name); }
      try { print("LEAK", await (0, eval)("x\\u2028--> c\\nimport('node:os')")); } catch (e) { print(e.name); }`,
    );
    assertEquals(built.output, "TypeError\nTypeError\n");
    await expectWorks(repl, "Annex B");
  } finally {
    await repl.close();
  }
});

Deno.test("round 2: the worker's port, eval and messages cannot be captured or forged", async () => {
  const repl = await createRepl(options());
  try {
    // #18 finding 2, exactly: patch postMessage, capture the port at set_answer, dispatch a
    // synthetic exec that would run with the original eval.
    const exact = await expectNoLeak(
      repl,
      "finding 2",
      `let port;
      const orig = MessagePort.prototype.postMessage;
      try {
        MessagePort.prototype.postMessage = function (m, t) { port = this; return orig.call(this, m, t); };
      } catch (e) { print(e.name); }
      set_answer("x");
      if (port) port.dispatchEvent(new MessageEvent("message", { data: { type: "exec", id: 1,
        source: "(async () => { print('LEAK original eval'); })" } }));
      await new Promise((r) => setTimeout(r, 50));
      print(typeof port);`,
    );
    assertEquals(exact.output, "TypeError\nundefined\n");
    // Variants: every prototype a dispatch goes through, getters on Object.prototype for the
    // names Deno's event code reads, and a forged trusted event on the global scope.
    await expectNoLeak(
      repl,
      "prototype hooks",
      `const caught = [];
      const isPort = (v) => v instanceof MessagePort || v instanceof MessageEvent;
      const watch = (owner, name) => {
        try {
          Object.defineProperty(owner, name, { configurable: true, get() {
            if (isPort(this)) caught.push(String(name));
            return undefined;
          } });
        } catch { /* frozen */ }
      };
      for (const name of ["dispatchEvent", "handleEvent", "target", "currentTarget", "data",
        "ports", "source", "origin", "lastEventId", "bubbles", "cancelable", "composed", "type",
        "isTrusted", "listeners", "then", "constructor", "start", "close", "onmessage",
        "timeStamp", "eventPhase", "defaultPrevented", "returnValue", "srcElement", "cancelBubble",
        Symbol.toPrimitive, Symbol.iterator, Symbol.for("Deno.customInspect"),
        Symbol.for("Deno.privateCustomInspect")]) {
        for (const owner of [Object.prototype, EventTarget.prototype, Event.prototype,
          MessageEvent.prototype, MessagePort.prototype]) watch(owner, name);
      }
      set_answer("y");
      await llm_query("through the port");
      await llm_batch(["a", "b"]);
      print("caught", caught.length ? "LEAK " + caught.join(",") : "nothing");`,
    );
    // Setters on Object.prototype under the keys Deno's MessageEvent constructor assigns (a
    // string and its internal symbols, all readable from any event) used to receive each message
    // event of the private port, whose target is the port.
    const setters = await expectNoLeak(
      repl,
      "setters on Object.prototype",
      `const events = [];
      const keys = ["data", "ports", "origin", "lastEventId",
        ...Object.getOwnPropertySymbols(new MessageEvent("x")),
        ...Object.getOwnPropertySymbols(new Event("x"))];
      for (const key of keys) {
        try {
          Object.defineProperty(Object.prototype, key, { configurable: true, set(v) {
            events.push(this);
            Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
          } });
        } catch { /* already there */ }
      }
      await llm_query("x");
      await llm_batch(["y", "z"]);
      for (const key of keys) delete Object.prototype[key];
      const ports = events.map((e) => { try { return e.target; } catch { return null; } })
        .filter((t) => t instanceof MessagePort);
      print(ports.length ? "LEAK port" : "no port");`,
    );
    assertEquals(setters.output, "no port\n");
    await expectNoLeak(
      repl,
      "forged trusted event",
      `const probe = new MessageEvent("message");
      const trusted = Object.getOwnPropertySymbols(probe).find((s) => String(s).includes("isTrusted"));
      const forged = new MessageEvent("message", { data: { type: "exec", id: 2,
        source: "(async () => { print('LEAK forged exec'); })" } });
      if (trusted) forged[trusted] = true;
      dispatchEvent(forged);
      await new Promise((r) => setTimeout(r, 50));`,
    );
    // An Object.prototype.get/apply/construct "trap" used to be consulted by the guards' Proxy
    // handlers, handing out the original Function (and ArrayBuffer) constructors.
    const traps = await expectNoLeak(
      repl,
      "inherited Proxy traps",
      `let original;
      for (const trap of ["get", "apply", "construct", "getPrototypeOf", "has", "ownKeys"]) {
        Object.prototype[trap] = function (target) { if (typeof target === "function") original = target; return Reflect[trap](...arguments); };
      }
      try { Function.prototype.constructor.name; new Function("return 1")(); new ArrayBuffer(8); Object.getPrototypeOf(Function); } catch {}
      for (const trap of ["get", "apply", "construct", "getPrototypeOf", "has", "ownKeys"]) delete Object.prototype[trap];
      print(original ? "LEAK " + original.name : "none");
      try { print("LEAK", await original("return import('node:os')")()); } catch (e) { print(e.name); }`,
    );
    assertEquals(traps.output, "none\nTypeError\n");
    // The eval guard no longer trusts prototype methods user code can replace.
    const blinded = await expectNoLeak(
      repl,
      "blinded guard",
      `RegExp.prototype.exec = () => null;
      String.prototype.startsWith = () => false;
      String.prototype.indexOf = () => -1;
      String.prototype.charCodeAt = () => 0;
      Array.prototype[Symbol.iterator] = function* () {};
      try { print("LEAK", await eval("import('node:os')")); } catch (e) { print(e.message); }
      try { print("LEAK", await Function("return import('node:os')")()); } catch (e) { print(e.message); }`,
    );
    assertMatch(blinded.output, /^import\(\) is not allowed.*\nimport\(\) is not allowed/);
  } finally {
    await repl.close();
  }
});

Deno.test("round 2: node: built-ins and a planted Deno reach nothing", async () => {
  const repl = await createRepl(options());
  try {
    // #18 finding 3: with a planted Deno, node:worker_threads ran an unhardened worker.
    const r = await expectNoLeak(
      repl,
      "planted Deno",
      `try { globalThis.Deno = { version: {}, build: {}, env: {} }; } catch (e) { print(e.name); }
      print(typeof Deno);
      try { Object.defineProperty(globalThis, "Deno", { value: {} }); } catch (e) { print(e.name); }
      print(typeof Deno);`,
    );
    assertEquals(r.output, "TypeError\nundefined\nTypeError\nundefined\n");
    await expectWorks(repl, "planted Deno");
  } finally {
    await repl.close();
  }
});

Deno.test("round 2: buffer budget tricks are charged at the real size", async () => {
  const repl = await createRepl(options({ memoryLimitMb: 256 }));
  try {
    const r = await expectNoLeak(
      repl,
      "buffer tricks",
      `const out = [];
      const refused = (name, fn) => { try { fn(); out.push(name + " LEAK"); } catch (e) { out.push(name + " " + e.name); } };
      // A getter that answers small, then large: the check used to read the small answer and the
      // constructor the large one, so none of these was charged.
      let reads = 0;
      const options = { get maxByteLength() { return ++reads % 2 ? 8 : 2 ** 28; } };
      refused("lying maxByteLength", () => { const keep = []; for (let i = 0; i < 16; i++) keep.push(new ArrayBuffer(1, options)); });
      // Copies made by slice() were not charged.
      const half = new ArrayBuffer(2 ** 27);
      refused("slice copies", () => { const keep = []; for (let i = 0; i < 12; i++) keep.push(half.slice(0)); });
      // A replaced FinalizationRegistry.prototype.register used to see the budget's registry.
      let registry;
      FinalizationRegistry.prototype.register = function () { registry = this; };
      new Uint8Array(16);
      out.push(registry ? "registry LEAK" : "registry hidden");
      // Set.prototype.has = () => true used to hide buffers inside clones from the budget.
      Set.prototype.has = () => true;
      refused("structuredClone with Set.has replaced", () => {
        const keep = []; const big = new ArrayBuffer(1, { maxByteLength: 2 ** 28 });
        for (let i = 0; i < 8; i++) keep.push(structuredClone(big));
      });
      print(out.join("\\n"));`,
    );
    assertEquals(
      r.output,
      "lying maxByteLength RangeError\nslice copies RangeError\nregistry hidden\n" +
        "structuredClone with Set.has replaced RangeError\n",
    );
    await expectWorks(repl, "buffer tricks");
  } finally {
    await repl.close();
  }
});

Deno.test("round 2: un-awaited huge prompts are capped by characters in flight, not only by count", async () => {
  // #18 finding 4: 330 un-awaited llm_query calls of 16 M characters against a slow model killed
  // the host after 267 prompts. The same shape, 12 calls: four fit in the 64 M-character cap.
  let inflight = 0;
  let peak = 0;
  const repl = await createRepl(options({
    memoryLimitMb: 512,
    execTimeoutSeconds: 120,
    onSubQuery: (prompts, signal) => {
      const chars = prompts.reduce((n, p) => n + p.length, 0);
      inflight += chars;
      peak = Math.max(peak, inflight);
      return new Promise((resolve) => {
        // A slow model: answers only when the execution ends.
        signal.addEventListener("abort", () => {
          inflight -= chars;
          resolve(prompts.map(() => "late"));
        }, { once: true });
      });
    },
  }));
  try {
    const r = await repl.execute(`
      const big = "x".repeat(16_000_000);
      const calls = [];
      for (let i = 0; i < 12; i++) calls.push(llm_query(big).catch((e) => e.message));
      // The first four wait on the slow model; the rest are refused at once.
      const settled = await Promise.all(calls.slice(4));
      print(settled.length, settled[0]);`);
    assertEquals(r.fatal, undefined, r.fatal?.message);
    assertMatch(r.output, /^8 too many sub-model prompt characters in flight \(at most 64000000\)/);
    assert(peak <= 64_000_000, `the host held ${peak} characters of prompts at once`);
    await expectWorks(repl, "prompts in flight");
  } finally {
    await repl.close();
  }
});

Deno.test("round 2: the clock runs while code computes with a request in flight", async () => {
  let answered = false;
  const repl = await createRepl(options({
    execTimeoutSeconds: 2,
    onSubQuery: (prompts, signal) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          answered = true;
          resolve(prompts.map(() => "slow"));
        }, 60_000);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve(prompts.map(() => "aborted"));
        }, { once: true });
      }),
  }));
  try {
    // Before: the clock paused while the request was in flight, so this loop ran free until the
    // slow model answered.
    const r = await repl.execute(`llm_query("keeps the clock paused"); while (true) {}`);
    assertEquals(r.fatal?.kind, "timeout");
    assertEquals(answered, false);
    await expectWorks(repl, "computing with a request in flight");
  } finally {
    await repl.close();
  }
});

Deno.test("round 2: an answer cut for size says how much was cut", async () => {
  const repl = await createRepl(options({ memoryLimitMb: 512 }));
  try {
    // #18 finding 7, exactly: the worker reported 9,000,000 characters, the report held
    // 8,000,000, and nothing said so.
    const r = await repl.execute(`set_answer("A".repeat(9e6))`);
    assertEquals(r.answer.content.length, 8_000_000);
    assertEquals(r.answer.truncatedChars, 1_000_000);
    assertEquals(r.answer.ready, true);
    // Also through answer.content directly, and the cut is gone once the answer fits again.
    const direct = await repl.execute(`answer = { content: "B".repeat(8_000_001), ready: false }`);
    assertEquals(direct.answer.truncatedChars, 1);
    const fits = await repl.execute(`set_answer("short")`);
    assertEquals(fits.answer, { content: "short", ready: true });
  } finally {
    await repl.close();
  }
});

Deno.test("round 2: custom inspect hooks and Error.prepareStackTrace see nothing of the worker", async () => {
  const repl = await createRepl(options());
  try {
    // Deno's inspect hands custom inspectors an `inspect` function and an options object: walking
    // them must reach nothing outward-facing.
    const inspectHook = await expectNoLeak(
      repl,
      "custom inspect",
      `const o = { [Symbol.for("Deno.customInspect")](inspect, opts) { globalThis.got = [inspect, opts]; return "x"; } };
      print(o);
      const seen = new Set(); const queue = [...got]; const found = [];
      while (queue.length && seen.size < 50000) {
        const v = queue.shift();
        if (v === null || (typeof v !== "object" && typeof v !== "function") || seen.has(v)) continue;
        seen.add(v);
        if (v instanceof MessagePort) found.push("a port");
        for (const k of Reflect.ownKeys(v)) {
          let d; try { d = Object.getOwnPropertyDescriptor(v, k); } catch { continue; }
          if (!d) continue;
          if (["Deno", "openKv", "Command", "readTextFile", "postMessage"].includes(String(k))) found.push(String(k));
          if ("value" in d) queue.push(d.value);
        }
        queue.push(Object.getPrototypeOf(v));
      }
      print(found.length ? "LEAK " + found.join(",") : "nothing");`,
    );
    assertEquals(inspectHook.output, "x\nnothing\n");
    // Errors raised inside the worker's own code (guards, budget, argument checks) format their
    // stacks through user code; the call sites must not hand out the worker's functions or
    // receivers (its code is strict, so V8 gives neither).
    const stacks = await expectNoLeak(
      repl,
      "prepareStackTrace",
      `const frames = [];
      Error.prepareStackTrace = (e, sites) => {
        for (const s of sites) {
          if (String(s.getFileName()).includes("deeprepo-exec")) continue;
          if (s.getFunction() || s.getThis()) frames.push(String(s.getFunctionName()));
        }
        return "x";
      };
      const tries = [() => eval("import('x')"), () => Function("import('x')"),
        () => new ArrayBuffer(2 ** 40), () => llm_batch(5), () => set_answer(1),
        () => __deeprepo__.declare(["codebase"]), () => structuredClone(() => 1),
        () => new Uint8Array(-1), () => llm_query(1)];
      for (const t of tries) {
        try { const p = t(); if (p && p.catch) await p.catch((e) => e.stack); } catch (e) { e.stack; }
      }
      Error.prepareStackTrace = undefined;
      print(frames.length ? "LEAK " + frames.join(",") : "no frames of the worker");`,
    );
    assertEquals(stacks.output, "no frames of the worker\n");
  } finally {
    await repl.close();
  }
});
