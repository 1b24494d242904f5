/**
 * The execution clock: how much of `--exec-timeout` an execution has used.
 *
 * Rule: while none of the execution's sub-model requests is in flight, wall time counts. While
 * some are, waiting is free but work is not: the clock advances by the time the REPL's worker is
 * busy (code computing, or blocked, while its requests wait) and by the host's CPU time beyond a
 * fair share of {@linkcode HOST_FAIR_SHARE} of the wall time (the host preparing, caching, scanning
 * and sending that execution's prompts). A slow model costs nothing; an execution that keeps a
 * request in flight to compute for free, or that makes the host work on cache hits without end,
 * runs out.
 *
 * The worker's busy time is measured by pinging it through the protocol: a ping it does not answer
 * within {@linkcode PING_ALLOWANCE_MS} means its event loop is held, and that time counts. (The
 * sandbox process's CPU time would need `/proc`, which Deno refuses without `--allow-all`.) The
 * host's CPU time comes from `process.cpuUsage()`, which needs no permission.
 *
 * @module
 */
import process from "node:process";

/** Share of the in-flight wall time the host may spend on the execution's requests for free. */
export const HOST_FAIR_SHARE = 0.25;
/** How long the worker may take to answer a ping before the wait counts as its work. */
export const PING_ALLOWANCE_MS = 50;
/** How often the clock samples while requests are in flight. */
const POLL_MS = 100;

/** Where the clock reads time. */
export interface ClockMeter {
  /** Wall time in ms (monotonic). */
  wall(): number;
  /** The host process's CPU time in ms (user + system). */
  host(): number;
  /** Sends a ping to the worker; the answer comes back through `ExecutionClock.pong()`. */
  ping(): void;
}

/** The host's wall and CPU time; pings go through `ping`. */
export function hostMeter(ping: () => void): ClockMeter {
  return {
    wall: () => performance.now(),
    host() {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1000;
    },
    ping,
  };
}

/** One execution's clock; calls `onExpire` once when the budget is used up. */
export class ExecutionClock {
  #remaining: number;
  readonly #onExpire: () => void;
  readonly #meter: ClockMeter;
  readonly #pollMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;
  #since = 0;
  #last = { wall: 0, host: 0 };
  /** When the unanswered ping was sent, or undefined. */
  #pingSent: number | undefined;
  #stopped = false;

  /**
   * @param budgetMs The execution's timeout.
   * @param meter Where wall and CPU times come from, and how to ping the worker.
   * @param pollMs How often to sample while requests are in flight.
   */
  constructor(budgetMs: number, onExpire: () => void, meter: ClockMeter, pollMs = POLL_MS) {
    this.#remaining = budgetMs;
    this.#onExpire = onExpire;
    this.#meter = meter;
    this.#pollMs = pollMs;
  }

  /** Budget left in ms (as of the last sample while waiting). */
  get remainingMs(): number {
    return this.#remaining;
  }

  /** Wall time counts (no request in flight). */
  run(): void {
    if (this.#stopped) return;
    this.#halt();
    this.#since = this.#meter.wall();
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, this.#remaining));
  }

  /** Requests are in flight: only work counts. */
  wait(): void {
    if (this.#stopped) return;
    this.#halt();
    this.#last = { wall: this.#meter.wall(), host: this.#meter.host() };
    this.#poll = setInterval(() => this.sample(), this.#pollMs);
  }

  /** The worker answered the ping. */
  pong(): void {
    if (this.#pingSent === undefined) return;
    if (this.#poll !== undefined) this.#chargePing(this.#meter.wall());
    this.#pingSent = undefined;
  }

  /** Stops the clock for good. */
  stop(): void {
    this.#stopped = true;
    this.#halt();
  }

  /** While waiting: charges the work done since the last sample (runs every `pollMs`). */
  sample(): void {
    if (this.#stopped || this.#poll === undefined) return;
    const wall = this.#meter.wall();
    const host = this.#meter.host();
    const hostWork = host - this.#last.host - HOST_FAIR_SHARE * (wall - this.#last.wall);
    this.#remaining -= Math.max(0, hostWork);
    if (this.#pingSent === undefined) {
      this.#pingSent = wall;
      this.#meter.ping();
    } else this.#chargePing(wall);
    this.#last = { wall, host };
    if (this.#remaining <= 0) this.#expire();
  }

  /** Charges the time the unanswered ping has waited beyond the allowance, up to `wall`. */
  #chargePing(wall: number): void {
    const from = Math.max(this.#last.wall, this.#pingSent! + PING_ALLOWANCE_MS);
    if (wall > from) this.#remaining -= wall - from;
  }

  /** Ends the current mode, charging what it used. */
  #halt(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#remaining -= this.#meter.wall() - this.#since;
    }
    if (this.#poll !== undefined) {
      this.sample();
      clearInterval(this.#poll);
      this.#poll = undefined;
    }
  }

  #expire(): void {
    if (this.#stopped) return;
    this.stop();
    this.#onExpire();
  }
}
