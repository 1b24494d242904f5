/**
 * The execution clock: how much of `--exec-timeout` an execution has used.
 *
 * Rule: while none of the execution's sub-model requests is in flight, wall time counts. While
 * some are, waiting is free but work is not: the clock advances by the sandbox process's CPU time
 * (code computing while its requests wait) plus the host's CPU time beyond a fair share of
 * {@linkcode HOST_FAIR_SHARE} of the wall time (the host preparing, caching, scanning and sending
 * that execution's prompts). A slow model costs nothing; an execution that keeps a request in
 * flight to compute for free, or that makes the host work on cache hits without end, runs out.
 *
 * CPU times come from `process.cpuUsage()` (host) and `/proc/<pid>/stat` (the sandbox process,
 * Linux only; elsewhere only the host's share is counted while requests are in flight).
 *
 * @module
 */
import process from "node:process";

/** Share of the in-flight wall time the host may spend on the execution's requests for free. */
export const HOST_FAIR_SHARE = 0.25;
/** How often the clock samples CPU time while requests are in flight. */
const POLL_MS = 200;

/** Reads wall and CPU time in milliseconds. */
export interface CpuMeter {
  /** Wall time (a monotonic clock). */
  wall(): number;
  /** The host process's CPU time (user + system). */
  host(): number;
  /** The sandbox process's CPU time, or `undefined` when it cannot be read. */
  child(): number | undefined;
}

/** CPU time of this process and of the sandbox process `pid`. */
export function processCpuMeter(pid: number): CpuMeter {
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux.
  return {
    wall: () => performance.now(),
    host() {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1000;
    },
    child() {
      try {
        const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        // Fields 14 and 15 of stat (utime, stime) are 12 and 13 after the command name.
        return (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
      } catch {
        return undefined;
      }
    },
  };
}

/** One execution's clock; calls `onExpire` once when the budget is used up. */
export class ExecutionClock {
  #remaining: number;
  readonly #onExpire: () => void;
  readonly #meter: CpuMeter;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;
  readonly #pollMs: number;
  #since = 0;
  #last = { wall: 0, host: 0, child: undefined as number | undefined };
  #stopped = false;

  /**
   * @param budgetMs The execution's timeout.
   * @param meter Where wall and CPU times come from.
   * @param pollMs How often to sample while requests are in flight.
   */
  constructor(budgetMs: number, onExpire: () => void, meter: CpuMeter, pollMs = POLL_MS) {
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
    this.#last = this.#read();
    this.#poll = setInterval(() => this.sample(), this.#pollMs);
  }

  /** Stops the clock for good. */
  stop(): void {
    this.#stopped = true;
    this.#halt();
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

  #read() {
    return { wall: this.#meter.wall(), host: this.#meter.host(), child: this.#meter.child() };
  }

  /** While waiting: charges the work done since the last sample (runs every `pollMs`). */
  sample(): void {
    if (this.#stopped || this.#poll === undefined) return;
    const now = this.#read();
    const before = this.#last;
    this.#last = now;
    const hostWork = now.host - before.host - HOST_FAIR_SHARE * (now.wall - before.wall);
    const childWork = now.child !== undefined && before.child !== undefined
      ? now.child - before.child
      : 0;
    this.#remaining -= Math.max(0, hostWork) + Math.max(0, childWork);
    if (this.#remaining <= 0) this.#expire();
  }

  #expire(): void {
    if (this.#stopped) return;
    this.stop();
    this.#onExpire();
  }
}
