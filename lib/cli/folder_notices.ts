/**
 * The lines every command prints about per-folder configuration it did not use: one line per
 * `.env` / `deeprepo.json` that is untrusted, changed since trusted, or not a regular file, with
 * the command that trusts it.
 *
 * @module
 */
import type { FolderConfig, IgnoredFile } from "../config/settings.ts";

/**
 * The notice lines (without the `deeprepo: ` prefix) for a folder configuration.
 *
 * @param config What the trust rule decided; undefined (tests) gives no lines.
 */
export function folderNotices(config: FolderConfig | undefined): string[] {
  if (!config) return [];
  return [...config.problems.map(printable), ...config.ignored.map(ignoredLine)];
}

/** One line for a per-folder file that was not used. */
export function ignoredLine(file: IgnoredFile): string {
  const shown = printable(file.path);
  const trust = `deeprepo trust ${shellWord(file.path)}`;
  switch (file.reason) {
    case "untrusted":
      return `ignoring ${shown}: not trusted (it could set keys, endpoints or plugins); ` +
        `check it, then run \`${trust}\` to use it`;
    case "changed":
      return `ignoring ${shown}: changed since you trusted it; check it, then run ` +
        `\`${trust}\` to use it`;
    case "refused":
      return `ignoring ${shown}: it is ${file.detail ?? "not a regular file"}; only a regular ` +
        "file can be trusted";
  }
}

/** A path with control characters shown as escapes, so it cannot drive the terminal. */
export function printable(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

/** A path as one shell word: bare when safe, else single-quoted. */
export function shellWord(path: string): string {
  const shown = printable(path);
  return /^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", `'\\''`)}'`;
}
