/**
 * Builds in-memory snapshots for baseline and estimate tests (no loader, no disk).
 *
 * @module
 */
import type { CodebaseSnapshot, FileRecord } from "../../lib/loader/types.ts";

/** A snapshot whose files are the given contents; `entryPoints` go into metadata. */
export function fakeSnapshot(
  files: Record<string, string>,
  entryPoints: string[] = [],
  unavailable: { path: string; status: "too_large" | "read_error" }[] = [],
): CodebaseSnapshot {
  const codebase: Record<string, string> = { ...files };
  const records: FileRecord[] = Object.entries(files).map(([path, content]) => ({
    path,
    chars: content.length,
    bytes: new TextEncoder().encode(content).length,
    status: "included",
  }));
  for (const u of unavailable) {
    const marker = u.status === "too_large"
      ? "[FILE TOO LARGE: 600000 bytes, skipped]"
      : "[READ ERROR: permission denied]";
    codebase[u.path] = marker;
    records.push({ path: u.path, chars: marker.length, bytes: 600000, status: u.status });
  }
  records.sort((a, b) => (a.path < b.path ? -1 : 1));
  const total = Object.values(files).reduce((n, c) => n + c.length, 0);
  return {
    codebase,
    fileTree: records.map((r) => r.path).join("\n"),
    metadata: {
      repo_name: "fixture",
      total_files: records.length,
      total_chars: total,
      total_lines: Object.values(files).reduce((n, c) => n + c.split("\n").length, 0),
      file_types: { ".ts": records.length },
      largest_files: records.map((r) => [r.path, r.chars] as [string, number])
        .sort((a, b) => b[1] - a[1]).slice(0, 15),
      entry_points: entryPoints,
      languages: {},
    },
    files: records,
    skipped: [],
    root: "/nonexistent",
    source: "/nonexistent",
    secretsRedacted: {},
    warnings: [],
  };
}
