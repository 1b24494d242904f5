import { assertEquals } from "../_helpers/assert.ts";
import {
  type ClockMeter,
  ExecutionClock,
  HOST_FAIR_SHARE,
  PING_ALLOWANCE_MS,
} from "../../lib/sandbox/clock.ts";

/** A meter the test moves by hand; `pings` counts pings sent. */
function fakeMeter() {
  const t = { wall: 0, host: 0, pings: 0 };
  const meter: ClockMeter = { wall: () => t.wall, host: () => t.host, ping: () => t.pings++ };
  return { t, meter };
}

/** A clock that never polls by itself: the test samples. */
function clock(budgetMs: number, meter: ClockMeter) {
  const state = { expired: false };
  const c = new ExecutionClock(budgetMs, () => state.expired = true, meter, 1e9);
  return { c, state };
}

Deno.test("ExecutionClock: waiting on a slow model costs nothing", () => {
  const { t, meter } = fakeMeter();
  const { c, state } = clock(1000, meter);
  c.wait();
  for (let i = 0; i < 100; i++) {
    t.wall += 10_000; // ten seconds per sample, the worker idle (answers every ping at once)
    t.host += 10; // the host sending and receiving: well inside the fair share
    c.sample();
    c.pong();
  }
  assertEquals(state.expired, false);
  assertEquals(c.remainingMs, 1000);
  assertEquals(t.pings, 100);
  c.stop();
});

Deno.test("ExecutionClock: a worker that does not answer pings while a request waits is charged", () => {
  const { t, meter } = fakeMeter();
  const { c, state } = clock(1000, meter);
  c.wait();
  c.sample(); // sends a ping at 0
  t.wall += 600; // no answer: the worker computes
  c.sample();
  assertEquals(c.remainingMs, 1000 - (600 - PING_ALLOWANCE_MS));
  t.wall += 300;
  c.pong(); // answered at 900
  assertEquals(c.remainingMs, 1000 - (900 - PING_ALLOWANCE_MS));
  c.sample(); // next ping at 900
  t.wall += 1000;
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
  c.pong();
  assertEquals(c.remainingMs, 1000 - (1000 - HOST_FAIR_SHARE * 1000));
  t.wall += 1000;
  t.host += 1000;
  c.sample();
  assertEquals(state.expired, true);
});

Deno.test("ExecutionClock: wall time counts again when no request is in flight", async () => {
  const { meter } = fakeMeter();
  const expired = Promise.withResolvers<void>();
  const c = new ExecutionClock(0, () => expired.resolve(), meter);
  c.wait();
  c.run(); // the budget is already spent: the run timer fires at once
  await expired.promise;
  c.stop();
});
