/**
 * The coverage map: the repository as a folder tree, each file marked looked at by a sub-model,
 * not looked at, or not loaded, with counts per folder.
 *
 * @module
 */
import type { MapFile } from "./types.ts";
import { escapeHtml } from "./snippets.ts";

interface Folder {
  name: string;
  folders: Map<string, Folder>;
  files: MapFile[];
  covered: number;
  eligible: number;
}

/** Counts the map shows at its top (and the browser test compares with the metrics). */
export interface MapCounts {
  covered: number;
  eligible: number;
  total: number;
}

/**
 * Renders the map.
 *
 * @param files Every file the loader saw.
 * @returns The HTML and its counts.
 */
export function renderCoverageMap(files: MapFile[]): { html: string; counts: MapCounts } {
  const root = folder("");
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const parts = f.path.split("/");
    let at = root;
    const chain = [root];
    for (const part of parts.slice(0, -1)) {
      let next = at.folders.get(part);
      if (!next) at.folders.set(part, next = folder(part));
      at = next;
      chain.push(at);
    }
    at.files.push(f);
    const eligible = f.status === "included" && f.chars > 0;
    for (const c of chain) {
      if (eligible) c.eligible++;
      if (f.covered) c.covered++;
    }
  }
  const counts = { covered: root.covered, eligible: root.eligible, total: files.length };
  return { html: `<ul class="tree">${children(root, 0)}</ul>`, counts };
}

function folder(name: string): Folder {
  return { name, folders: new Map(), files: [], covered: 0, eligible: 0 };
}

function children(f: Folder, depth: number): string {
  const parts: string[] = [];
  for (const sub of f.folders.values()) {
    const share = sub.eligible ? Math.round((sub.covered / sub.eligible) * 100) : 0;
    parts.push(
      `<li class="dir"><details${depth < 1 ? " open" : ""}><summary>` +
        `<span class="bar" style="--p:${share}%"></span>${escapeHtml(sub.name)}/ ` +
        `<span class="count">${sub.covered}/${sub.eligible}</span></summary>` +
        `<ul>${children(sub, depth + 1)}</ul></details></li>`,
    );
  }
  for (const file of f.files) {
    const name = file.path.slice(file.path.lastIndexOf("/") + 1);
    const kind = file.covered ? "cov" : file.status === "included" ? "nocov" : "skip";
    const why = file.covered
      ? "looked at by a sub-model"
      : file.status === "included"
      ? "not looked at"
      : `not loaded: ${file.status}`;
    parts.push(
      `<li class="file ${kind}" data-path="${escapeHtml(file.path)}" title="${escapeHtml(why)}">` +
        `${escapeHtml(name)}</li>`,
    );
  }
  return parts.join("");
}
