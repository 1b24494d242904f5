/**
 * The argument that makes deeprepo's entry point run as the sandbox child process. A compiled
 * binary cannot run a second script, so it re-executes itself with this as its first argument.
 *
 * @module
 */

/** First argument of a sandbox child invocation of the deeprepo binary. */
export const SANDBOX_MODE_ARG = "__deeprepo_sandbox_child__";
