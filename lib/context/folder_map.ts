/**
 * The folder map of an agent context file: top-level folders (and the subfolders of the
 * largest ones) with file counts and their main file types, computed from the snapshot.
 *
 * @module
 */
import type { FileRecord } from "../loader/mod.ts";

/** One line of the map. */
export interface FolderEntry {
  /** `src/` or `src/server/`; `.` for files at the root. */
  folder: string;
  files: number;
  /** Most common extensions, most first (e.g. `.ts`, `.md`). */
  types: string[];
}

/** Folders with this many files get their subfolders listed too. */
const SPLIT_AT = 40;

/**
 * Builds the map.
 *
 * @param files The snapshot's loaded files.
 * @param maxEntries Lines at most (the largest folders win).
 */
export function folderMap(files: FileRecord[], maxEntries = 24): FolderEntry[] {
  const top = group(files, 1);
  const entries: FolderEntry[] = [];
  for (const [folder, members] of top) {
    entries.push(entry(folder, members));
    if (folder !== "." && members.length >= SPLIT_AT) {
      for (const [sub, subMembers] of group(members, 2)) {
        if (sub !== folder && subMembers.length > 1) entries.push(entry(sub, subMembers));
      }
    }
  }
  const kept = new Set(
    [...entries].sort((a, b) => b.files - a.files).slice(0, maxEntries).map((e) => e.folder),
  );
  return entries.filter((e) => kept.has(e.folder));
}

function group(files: FileRecord[], depth: number): Map<string, FileRecord[]> {
  const out = new Map<string, FileRecord[]>();
  for (const f of files) {
    const parts = f.path.split("/");
    const folder = parts.length > depth
      ? `${parts.slice(0, depth).join("/")}/`
      : depth === 1
      ? "."
      : `${parts.slice(0, -1).join("/")}/`;
    const list = out.get(folder);
    if (list) list.push(f);
    else out.set(folder, [f]);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

function entry(folder: string, members: FileRecord[]): FolderEntry {
  const counts = new Map<string, number>();
  for (const m of members) {
    const name = m.path.slice(m.path.lastIndexOf("/") + 1);
    const ext = name.includes(".") ? name.slice(name.lastIndexOf(".")) : name;
    counts.set(ext, (counts.get(ext) ?? 0) + 1);
  }
  const types = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([e]) => e);
  return { folder, files: members.length, types };
}
