/**
 * Assertions for tests. JSR's `@std/assert` is unreachable here, so this re-exports Node's
 * `node:assert` with the familiar names.
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Fails unless `condition` is truthy. */
export function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message);
}

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Deep strict inequality. */
export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message);
}

/** Fails unless `text` matches `pattern`. */
export function assertMatch(text: string, pattern: RegExp, message?: string): void {
  nodeAssert.match(text, pattern, message);
}

/** Fails if `text` matches `pattern`. */
export function assertNotMatch(text: string, pattern: RegExp, message?: string): void {
  nodeAssert.doesNotMatch(text, pattern, message);
}

/** Fails unless `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, message?: string): void {
  if (!text.includes(part)) {
    nodeAssert.fail(
      message ??
        `expected ${JSON.stringify(text.slice(0, 500))} to include ${JSON.stringify(part)}`,
    );
  }
}

/** Fails unless `fn` throws (an instance of `type`, when given); returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  type?: new (...args: never[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    if (type && !(error instanceof type)) {
      nodeAssert.fail(`expected ${type.name}, got ${String(error)}`);
    }
    if (includes && !(error as Error).message.includes(includes)) {
      nodeAssert.fail(
        `expected message to include ${JSON.stringify(includes)}: ${(error as Error).message}`,
      );
    }
    return error as E;
  }
  return nodeAssert.fail("expected the function to throw");
}

/** Fails unless `fn` rejects (with an instance of `type`, when given); returns the error. */
export async function assertRejects<E extends Error = Error>(
  fn: () => Promise<unknown>,
  type?: new (...args: never[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    if (type && !(error instanceof type)) {
      nodeAssert.fail(`expected ${type.name}, got ${String(error)}`);
    }
    if (includes && !(error as Error).message.includes(includes)) {
      nodeAssert.fail(
        `expected message to include ${JSON.stringify(includes)}: ${(error as Error).message}`,
      );
    }
    return error as E;
  }
  return nodeAssert.fail("expected the promise to reject");
}
