/**
 * Limits inside the sandbox process, shared by the relay and the worker (the host enforces its
 * own copies in `protocol.ts`).
 *
 * @module
 */

/** Limits inside the sandbox process. */
export const CHILD_LIMITS = {
  /** Characters of captured output kept per execution (the true length is counted too). */
  outputBufferChars: 1_000_000,
  /** Total characters of prompts in one `llm_batch`. */
  promptChars: 16_000_000,
  /** Prompts in one `llm_batch`. */
  prompts: 10_000,
  /**
   * Characters of the prompts of requests still waiting for an answer (the host enforces the same
   * cap): un-awaited calls past it are refused in the worker, before their copies fill the
   * process's message queue.
   */
  inflightPromptChars: 64_000_000,
  /** Bytes of one frame written to the host. */
  frameBytes: 64 * 1024 * 1024,
  /** Bytes of one explicit ArrayBuffer/typed-array allocation, and of all live ones. */
  bufferBytes: 256 * 1024 * 1024,
  liveBufferBytes: 1024 * 1024 * 1024,
  /** Characters of the inspected value of the last expression. */
  valueChars: 10_000,
  /** Characters of `answer.content` returned to the host. */
  answerChars: 8_000_000,
};
