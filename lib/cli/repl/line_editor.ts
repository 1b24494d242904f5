/**
 * Line editing at the interactive REPL prompt with `node:readline` in terminal mode: arrows and
 * the usual Emacs keys, history (Up/Down, kept per user), Tab completion of globals,
 * dot-commands and codebase paths, Ctrl-L to clear the screen.
 *
 * Ctrl-C: at the prompt the terminal is in raw mode, so readline sees the key. With text typed
 * (or a multi-line input under way) it discards that text (`.break`); at an empty prompt it ends
 * the session (exit 130). While code runs the terminal is back in normal mode, so Ctrl-C is a
 * SIGINT as everywhere else in deeprepo (it stops the running code).
 *
 * @module
 */
import * as readline from "node:readline";
import process from "node:process";
import { InterruptedError } from "../../errors.ts";
import { complete } from "./completion.ts";
import { HISTORY_SIZE, readHistory, writeHistory } from "./history.ts";

/** What the REPL session reads typed lines from. */
export interface PromptInput {
  /** Typed lines; ends at Ctrl-D. */
  lines(): AsyncIterable<string>;
  /** Shows `text` as the prompt for the next line. */
  prompt?(text: string): void;
  /** Code is about to run: let Ctrl-C reach the process as SIGINT. */
  pause?(): void;
  /** Code finished: back to line editing. */
  resume?(): void;
  /** The codebase's paths, for completion (given before `lines()`). */
  usePaths?(paths: readonly string[]): void;
}

/** Options of {@linkcode createLineEditor}. */
export interface LineEditorOptions {
  /** Codebase paths for completion. */
  paths: readonly string[];
  /** History file; none kept when undefined. */
  historyPath?: string;
}

/**
 * A {@linkcode PromptInput} on the process's terminal (stdin in, stderr out).
 */
export function createLineEditor(options: LineEditorOptions): PromptInput {
  let rl: readline.Interface | undefined;
  let currentPrompt = "> ";
  const stdin = process.stdin as typeof process.stdin & { setRawMode?(on: boolean): void };
  return {
    async *lines() {
      const history = options.historyPath ? await readHistory(options.historyPath) : [];
      const queue: (string | Error | null)[] = [];
      let wake = () => {};
      const push = (item: string | Error | null) => {
        queue.push(item);
        wake();
      };
      rl = readline.createInterface({
        input: process.stdin,
        output: process.stderr,
        terminal: true,
        history,
        historySize: HISTORY_SIZE,
        removeHistoryDuplicates: true,
        prompt: currentPrompt,
        completer: (line: string) => complete(line, options.paths),
      });
      rl.on("line", (line: string) => push(line));
      rl.on("close", () => push(null));
      rl.on("history", (entries: string[]) => {
        if (options.historyPath) void writeHistory(options.historyPath, entries);
      });
      rl.on("SIGINT", () => {
        const typed = rl?.line ?? "";
        if (typed !== "" || currentPrompt !== "> ") {
          process.stderr.write("^C\n");
          // Drops the typed text; the session drops a multi-line input under way.
          (rl as unknown as { line: string; cursor: number }).line = "";
          (rl as unknown as { line: string; cursor: number }).cursor = 0;
          push(".break");
        } else {
          process.stderr.write("\n");
          push(new InterruptedError());
        }
      });
      rl.prompt();
      try {
        while (true) {
          while (queue.length === 0) await new Promise<void>((r) => wake = r);
          const item = queue.shift()!;
          if (item === null) return;
          if (item instanceof Error) throw item;
          yield item;
        }
      } finally {
        rl.close();
        rl = undefined;
      }
    },
    prompt(text) {
      currentPrompt = text;
      rl?.setPrompt(text);
      rl?.prompt();
    },
    pause() {
      rl?.pause();
      stdin.setRawMode?.(false);
    },
    resume() {
      stdin.setRawMode?.(true);
      rl?.resume();
    },
  };
}
