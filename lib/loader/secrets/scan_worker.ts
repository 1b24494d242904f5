/**
 * The secret scanner's worker: receives chunks of files, answers with their findings. It runs
 * beside the main thread, which keeps reading files meanwhile.
 *
 * Messages in: `{ id, texts, paths }`; out: `{ id, findings }` or `{ id, error }`.
 *
 * @module
 */
import { secretRules } from "./rules.ts";
import { findSecrets } from "./scan.ts";

const rules = secretRules();

interface ScanRequest {
  id: number;
  texts: string[];
  paths: string[];
}

// deno-lint-ignore no-explicit-any
const scope = self as any;
scope.onmessage = (event: MessageEvent<ScanRequest>) => {
  const { id, texts, paths } = event.data;
  try {
    scope.postMessage({ id, findings: findSecrets(texts, paths, rules) });
  } catch (error) {
    scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
