import { assert, assertEquals } from "../_helpers/assert.ts";
import { capturedContext } from "../_helpers/cli_context.ts";
import { createProgress, retryLine } from "../../lib/cli/progress.ts";

Deno.test("createProgress() prints nothing at all with -q", () => {
  const ctx = capturedContext("/tmp");
  const p = createProgress(ctx, { quiet: true });
  p.status("turn 1", true);
  p.line("hello");
  p.text("streamed");
  p.done();
  assertEquals(ctx.err, []);
});

Deno.test("createProgress() prints plain milestone lines, once each, when not a terminal", () => {
  const ctx = capturedContext("/tmp");
  const p = createProgress(ctx, { quiet: false });
  p.status("turn 1 · root model");
  p.status("turn 1 · done", true);
  p.status("turn 1 · done", true);
  p.text("model says");
  p.line("[retry] x");
  p.status("turn 2 · done", true);
  p.done();
  assertEquals(ctx.errText(), "turn 1 · done\nmodel says\n[retry] x\nturn 2 · done\n");
});

Deno.test("createProgress() redraws one live line on a terminal and clears it for text", () => {
  const ctx = { ...capturedContext("/tmp"), isTerminal: true };
  let t = 0;
  const p = createProgress(ctx, { quiet: false, now: () => t, columns: 40 });
  p.status("turn 1");
  t += 10;
  p.status("turn 1 · sub-calls 1/9"); // throttled: within 100 ms of the last draw
  t += 200;
  p.status("turn 1 · sub-calls 2/9 · files 2/9 · $0.0001 and a long tail");
  p.text("Hello");
  p.line("warning: x");
  p.done();
  p.line("summary");
  const out = ctx.errText();
  assertEquals(out.split("\r\x1b[2K").filter(Boolean)[0], "turn 1");
  assert(!out.includes("1/9"));
  assert(out.includes("turn 1 · sub-calls 2/9 · files 2/9 · $…"), out);
  assert(out.includes("Hello\nwarning: x\n"), JSON.stringify(out));
  assert(out.endsWith("\r\x1b[2Ksummary\n"), JSON.stringify(out.slice(-40)));
});

Deno.test("createProgress() draws a throttled status once the 100 ms have passed", () => {
  const ctx = { ...capturedContext("/tmp"), isTerminal: true };
  let t = 0;
  const pending: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const schedule = (fn: () => void, ms: number) => {
    const job = { fn, ms, cancelled: false };
    pending.push(job);
    return () => {
      job.cancelled = true;
    };
  };
  const p = createProgress(ctx, { quiet: false, now: () => t, columns: 80, schedule });
  p.status("turn 1 · turn done", true);
  t += 20;
  p.status("turn 2 · root model"); // throttled, then nothing else happens for a while
  assert(!ctx.errText().includes("turn 2"));
  assertEquals(pending.length, 1);
  assertEquals(pending[0].ms, 80);
  t += 80;
  pending[0].fn();
  assert(ctx.errText().endsWith("\r\x1b[2Kturn 2 · root model"), JSON.stringify(ctx.errText()));

  // A deferred draw never breaks a line of streamed text, and done() cancels it.
  t += 5;
  p.status("turn 2 · root model · again");
  p.text("The model is wri");
  pending[1].fn();
  assert(ctx.errText().endsWith("The model is wri"), JSON.stringify(ctx.errText()));
  t += 5;
  p.status("turn 2 · later");
  p.done();
  assert(pending[2].cancelled);
});

Deno.test("retryLine() names provider, model, reason, attempt of the limit and the wait", () => {
  const info = { provider: "openrouter", model: "m/x", attempt: 2, reason: "timeout" };
  assertEquals(
    retryLine({ ...info, delayMs: 2500 }),
    "[retry] openrouter m/x: timeout; retry 2/3 in 2.5 s",
  );
  assertEquals(
    retryLine({ ...info, delayMs: 40 }),
    "[retry] openrouter m/x: timeout; retry 2/3 in 40 ms",
  );
});
