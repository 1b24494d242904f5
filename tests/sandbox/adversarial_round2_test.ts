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
