/**
 * The trajectory file (`deeprepo_<name>_<ts>_trajectory.json`): every turn with the model's
 * text, the code it ran, what it was shown, and timings; then every sub-model call.
 *
 * @module
 */
import type { AnalysisResult } from "../engine/types.ts";
import type { AnalyzeRunInfo } from "./analyze_metrics.ts";
import { roundUsd } from "./analyze_metrics.ts";

/** Format version of the trajectory file. */
export const TRAJECTORY_VERSION = 1;

/**
 * Builds the trajectory object.
 *
 * @param result The engine's result.
 * @param info Run facts (repo and models).
 */
export function analyzeTrajectory(result: AnalysisResult, info: AnalyzeRunInfo): unknown {
  const ms = (n: number) => Math.round(n * 10) / 10;
  return {
    version: TRAJECTORY_VERSION,
    repo: info.repo,
    root_model: info.rootModel,
    sub_model: info.subModel,
    complete: result.complete,
    stop_reason: result.stopReason,
    ...(result.error ? { error: result.error } : {}),
    turns: result.turns.map((t) => ({
      turn: t.turn,
      status: t.status,
      finalize: t.finalize,
      model_text: t.rootText,
      ...(t.thinking ? { model_thinking: t.thinking } : {}),
      tool_calls: t.toolCalls,
      stop_reason: t.stopReason ?? null,
      usage: t.usage,
      cost: roundUsd(t.costUsd),
      nudged: t.nudged,
      ...(t.textAsReport ? { text_as_report: true } : {}),
      executions: t.executions.map((e) => ({
        source: e.source,
        tool_call_id: e.toolCallId ?? null,
        code: e.code,
        output: e.output,
        output_chars: e.outputChars,
        error: e.error ?? null,
        fatal: e.fatal ?? null,
        answer_ready: e.answerReady,
        elapsed_ms: ms(e.elapsedMs),
        sub_query_ms: ms(e.subQueryMs),
      })),
      root_ms: ms(t.rootMs),
      elapsed_ms: ms(t.elapsedMs),
      host_overhead_ms: ms(t.hostOverheadMs),
      ...(t.interrupted ? { interrupted: true } : {}),
    })),
    sub_calls: result.subRecords.map((r) => ({
      turn: r.turn,
      prompt_chars: r.promptChars,
      prompt_head: r.promptHead,
      files: r.files,
      cached: r.cached,
      error: r.error,
      result: r.result,
    })),
  };
}
