/**
 * The context file's body and its wrapping per agent format: the computed facts (commands,
 * folder map), the model's condensed sections, a provenance line, all within a token budget.
 *
 * @module
 */
import { CONTEXT_FILES } from "../freshness/mod.ts";
import type { FolderEntry } from "./folder_map.ts";
import type { ProjectCommand } from "./project_commands.ts";

/** `context --format` values. */
export type ContextFormat = keyof typeof CONTEXT_FILES;

/** Default `--max-tokens`: small enough for a system prompt. */
export const DEFAULT_CONTEXT_TOKENS = 2_000;

/** Where each format lives in the repository, and what a new file starts with. */
export function contextTarget(format: ContextFormat): { file: string; header: string } {
  const file = CONTEXT_FILES[format];
  const header = format === "cursor"
    ? "---\ndescription: Project context from deeprepo (architecture, commands, pitfalls)\n" +
      "globs:\nalwaysApply: true\n---\n\n"
    : "";
  return { file, header };
}

/** The computed part: commands and folder map, as Markdown. */
export function factsMarkdown(commands: ProjectCommand[], folders: FolderEntry[]): string {
  const order = ["build", "test", "lint", "format", "run", "other"];
  const sorted = [...commands].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const cmd = sorted.length
    ? sorted.map((c) => `- ${c.kind}: \`${c.command}\` (${c.source})`).join("\n")
    : "- none found in package.json, deno.json, Makefile, pyproject.toml or CI workflows";
  const map = folders.map((f) =>
    `- \`${f.folder}\` — ${f.files} file${f.files === 1 ? "" : "s"}` +
    (f.types.length ? ` (${f.types.join(", ")})` : "")
  ).join("\n");
  return `## Commands\n\n${cmd}\n\n## Folder map\n\n${map}`;
}

/**
 * Joins the parts and keeps the whole within `maxTokens`: model sections are cut at a bullet
 * from the end first, then the folder map, with a note that the file was shortened.
 */
export function contextBody(
  parts: { provenance: string; facts: string; condensed: string },
  maxTokens: number,
  count: (text: string) => number,
): string {
  const join = (condensed: string, facts: string) =>
    `# Project context\n\n${parts.provenance}\n\n${facts}\n\n${condensed}`.trim() + "\n";
  let condensed = parts.condensed.trim();
  let facts = parts.facts;
  let text = join(condensed, facts);
  const note = "\n\n_(shortened to fit --max-tokens)_";
  while (count(text) > maxTokens && condensed.includes("\n")) {
    condensed = condensed.slice(0, condensed.lastIndexOf("\n")).trimEnd();
    text = join(condensed + note, facts);
  }
  while (count(text) > maxTokens && facts.includes("\n")) {
    facts = facts.slice(0, facts.lastIndexOf("\n")).trimEnd();
    text = join(condensed + note, facts);
  }
  return text;
}
