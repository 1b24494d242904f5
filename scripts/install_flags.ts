/**
 * The flags for running deeprepo from a URL or installing it with `deno install -g`, kept in one
 * place so the README, the install script and the tests agree.
 *
 * @module
 */
import { BINARY_PERMISSIONS, UNSTABLE_FLAGS } from "./compile.ts";

/** Flags for `deno run <url>/main.ts` and `deno install -g`. */
export const URL_RUN_FLAGS: string[] = [...UNSTABLE_FLAGS, ...BINARY_PERMISSIONS];

/** The installed command's name. */
export const COMMAND_NAME = "deeprepo";
