/**
 * The host against a misbehaving sandbox process: a scripted fake child speaks the protocol and,
 * on request, sends forged or invalid frames, kills itself or exits. The host must report each as
 * a crash (or ignore the forgery), start a fresh process, and keep going.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { SandboxRepl } from "../../lib/sandbox/repl.ts";

const FAKE_CHILD = `
const encoder = new TextEncoder();
const decoder = new TextDecoder();
let nonce = "";
let pending = "";
let received = 0;
let flood = 0;
const out = (text) => {
  let bytes = encoder.encode(text);
  while (bytes.length) bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
};
const frame = (message) => out("\\x1e" + nonce + " " + JSON.stringify(message) + "\\n");
const result = (id, output) =>
  frame({ type: "result", id, output, outputChars: output.length, answer: { content: "", ready: false } });
for await (const chunk of Deno.stdin.readable) {
  received += chunk.length;
  pending += decoder.decode(chunk, { stream: true });
  let newline;
  while ((newline = pending.indexOf("\\n")) !== -1) {
    const message = JSON.parse(pending.slice(0, newline));
    pending = pending.slice(newline + 1);
    if (message.type === "llm_result" && message.id === 5 && flood) {
      result(flood, String(message.error));
    } else if (message.type === "hello") nonce = message.nonce;
    else if (message.type === "init") frame({ type: "ready" });
    else if (message.type === "exec") {
      const code = message.source;
      if (code.includes("SELF_KILL")) Deno.kill(Deno.pid, "SIGKILL");
      else if (code.includes("EXIT")) Deno.exit(3);
      else if (code.includes("INVALID")) frame({ type: "result", id: "not a number" });
      else if (code.includes("FORGED")) {
        out("\\x1e" + "0".repeat(32) + " " + JSON.stringify({ type: "result", id: message.id,
          output: "forged", outputChars: 6, answer: { content: "pwned", ready: true } }) + "\\n");
        out("noise without a newline then ");
        result(message.id, "genuine");
      } else if (code.includes("FLOOD")) {
        // Five un-awaited 16 M-character requests, as a worker whose own cap was bypassed would send.
        flood = message.id;
        const big = "x".repeat(16_000_000);
        for (let id = 1; id <= 5; id++) frame({ type: "llm", id, prompts: [big] });
      } else if (code.includes("BYTES")) {
        result(message.id, String(received));
      } else if (code.includes("SILENT")) {
        // Never answers: only the timeout can end this execution.
      } else result(message.id, "fine");
    }
  }
}
`;

function fakeCommand() {
  return {
    command: Deno.execPath(),
    args: [
      "run",
      "--no-prompt",
      "--no-config",
      "--no-lock",
      `data:text/javascript;base64,${btoa(FAKE_CHILD)}`,
    ],
    env: { NO_COLOR: "1" },
  };
}

function fakeRepl(execTimeoutSeconds = 5, codebase: Record<string, string> = {}): SandboxRepl {
  return new SandboxRepl({
    codebase,
    fileTree: "",
    metadata: {},
    onSubQuery: (prompts) => Promise.resolve(prompts),
    execTimeoutSeconds,
  }, { command: fakeCommand() });
}

Deno.test("host reports a self-kill, an exit and an invalid frame as crashes and recovers", async () => {
  const repl = fakeRepl();
  try {
    await repl.start();
    const killed = await repl.execute("SELF_KILL");
    assertEquals(killed.fatal?.kind, "crash");
    assertMatch(killed.fatal!.message, /killed by SIGKILL/);
    assertEquals((await repl.execute("ok")).output, "fine");

    const exited = await repl.execute("EXIT");
    assertMatch(exited.fatal?.message ?? "", /exit code 3/);
    assertEquals((await repl.execute("ok")).output, "fine");

    const invalid = await repl.execute("INVALID");
    assertEquals(invalid.fatal?.kind, "crash");
    assertMatch(invalid.fatal!.message, /invalid shape/);
    assertEquals((await repl.execute("ok")).output, "fine");
  } finally {
    await repl.close();
  }
});

Deno.test("host ignores frames with the wrong nonce and untagged noise", async () => {
  const repl = fakeRepl();
  try {
    await repl.start();
    const r = await repl.execute("FORGED");
    assertEquals(r.output, "genuine");
    assertEquals(r.answer, { content: "", ready: false });
  } finally {
    await repl.close();
  }
});

Deno.test("host times out a process that never answers and closes without hanging", async () => {
  const repl = fakeRepl(1);
  try {
    await repl.start();
    const r = await repl.execute("SILENT");
    assertEquals(r.fatal?.kind, "timeout");
    assertEquals((await repl.execute("ok")).output, "fine");
  } finally {
    const started = performance.now();
    await repl.close();
    const closing = performance.now() - started;
    assertEquals(closing < 2000, true, `close took ${closing} ms`);
  }
});

Deno.test("host sends the codebase once per process, not with each execution", async () => {
  const repl = fakeRepl(5, { "big.ts": "x".repeat(1_000_000) });
  try {
    await repl.start();
    const first = Number((await repl.execute("BYTES")).output);
    const second = Number((await repl.execute("BYTES")).output);
    assert(first > 1_000_000, `the init carried only ${first} bytes`);
    assert(second - first < 10_000, `one execution sent ${second - first} bytes: codebase again`);
    // A new process (after a crash) gets the codebase again.
    await repl.execute("SELF_KILL");
    const fresh = Number((await repl.execute("BYTES")).output);
    assert(fresh > 1_000_000, `the new process got only ${fresh} bytes`);
  } finally {
    await repl.close();
  }
});

Deno.test("host refuses sub-model requests past 64 M prompt characters in flight, even from a bypassed worker", async () => {
  let held = 0;
  let peak = 0;
  const repl = new SandboxRepl({
    codebase: {},
    fileTree: "",
    metadata: {},
    execTimeoutSeconds: 120,
    onSubQuery: (prompts, signal) => {
      const chars = prompts.reduce((n, p) => n + p.length, 0);
      held += chars;
      peak = Math.max(peak, held);
      return new Promise((resolve) =>
        signal.addEventListener("abort", () => {
          held -= chars;
          resolve(prompts);
        }, { once: true })
      );
    },
  }, { command: fakeCommand() });
  try {
    await repl.start();
    const r = await repl.execute("FLOOD");
    assertMatch(r.output, /^too many sub-model prompt characters in flight \(at most 64000000\)/);
    assertEquals(peak, 64_000_000);
  } finally {
    await repl.close();
  }
});
