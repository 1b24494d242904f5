import { assertEquals } from "../_helpers/assert.ts";
import { type CpuMeter, ExecutionClock, HOST_FAIR_SHARE } from "../../lib/sandbox/clock.ts";

/** A meter the test moves by hand. */
function fakeMeter() {
  const t = { wall: 0, host: 0, child: 0 as number | undefined };
  const meter: CpuMeter = { wall: () => t.wall, host: () => t.host, child: () => t.child };
  return { t, meter };
}

/** A clock that never polls by itself: the test samples. */
function clock(budgetMs: number, meter: CpuMeter) {
  const state = { expired: false };
  const c = new ExecutionClock(budgetMs, () => state.expired = true, meter, 1e9);
  return { c, state };
}

Deno.test("ExecutionClock: waiting on a slow model costs nothing", () => {
  const { t, meter } = fakeMeter();
  const { c, state } = clock(1000, meter);
  c.wait();
  for (let i = 0; i < 100; i++) {
    t.wall += 10_000; // ten seconds per sample, nobody working
    t.host += 10; // the host sending and receiving: well inside the fair share
    c.sample();
  }
  assertEquals(state.expired, false);
  assertEquals(c.remainingMs, 1000);
  c.stop();
});

Deno.test("ExecutionClock: the sandbox computing while a request waits is counted", () => {
  const { t, meter } = fakeMeter();
  const { c, state } = clock(1000, meter);
  c.wait();
  t.wall += 600;
  t.child = 600;
  c.sample();
  assertEquals(c.remainingMs, 400);
  t.wall += 600;
  t.child = 1200;
  c.sample();
  assertEquals(state.expired, true);
});

Deno.test("ExecutionClock: the host's work on the requests beyond its fair share is counted", () => {
  const { t, meter } = fakeMeter();
  const { c, state } = clock(1000, meter);
  c.wait();
  t.wall += 1000;
  t.host += 1000; // the host busy the whole second
  c.sample();
  assertEquals(c.remainingMs, 1000 - (1000 - HOST_FAIR_SHARE * 1000));
  t.wall += 1000;
  t.host += 1000;
  c.sample();
  assertEquals(state.expired, true);
});

Deno.test("ExecutionClock: without a child CPU reading only the host is counted", () => {
  const { t, meter } = fakeMeter();
  t.child = undefined;
  const { c, state } = clock(1000, meter);
  c.wait();
  t.wall += 400;
  t.host += 400;
  c.sample();
  assertEquals(c.remainingMs, 1000 - 300);
  assertEquals(state.expired, false);
  c.stop();
});
