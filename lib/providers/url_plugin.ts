/**
 * Plugins given by URL (`--plugin https://...`, or a URL in a config file or
 * `DEEPREPO_PLUGINS`), loaded without Deno's module loader so they never touch the lockfile of
 * the checkout deeprepo runs from (`deno task deeprepo` would otherwise write their hashes into
 * this repository's tracked `deno.lock`, and a later integrity mismatch would abort the whole CLI
 * instead of failing that one plugin).
 *
 * A URL plugin is fetched once and its copy kept in deeprepo's cache folder (`plugins/`, files
 * 0600); later runs use the copy and say so, and `--reload-plugins` fetches it again. Pin a plugin
 * by adding `#sha256=<hex>` to its URL: a copy or download with other content fails that plugin.
 * The module is evaluated as a self-contained plugin (type-only imports and `fetch`; see
 * `self_contained.ts`): a plugin that imports code must be saved locally and given by path.
 *
 * @module
 */
import { readRegularFile } from "../config/regular_file.ts";
import { sha256Hex } from "../config/trust.ts";
import { evaluatePluginSource } from "./self_contained.ts";
import { redactUrl } from "../redact.ts";

/** Largest plugin source accepted: 2 MiB. */
const MAX_PLUGIN_BYTES = 2 * 1024 * 1024;

/** Where URL plugins are kept and how the caller hears about it. */
export interface UrlPluginOptions {
  /** Folder for the fetched copies; undefined: fetch every time, keep nothing. */
  dir?: string;
  /** Fetch again even when a copy exists (`--reload-plugins`). @default false */
  reload?: boolean;
  /** Told, in one line, when a stored copy is used or a new copy was fetched. */
  note?(line: string): void;
  /** The fetch to use (tests). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** True for the specifiers this module loads: `http:` and `https:` URLs. */
export function isUrlPlugin(specifier: string): boolean {
  return /^https?:\/\//i.test(specifier);
}

/**
 * Loads a URL plugin from its stored copy or the network (see the module doc).
 *
 * @param specifier The URL, optionally ending in `#sha256=<64 hex digits>`.
 * @param options Copy folder, reload, notes.
 * @returns The module namespace.
 * @throws {Error} When the download fails, the content does not match the pin, or the plugin
 *   cannot be evaluated; the registry turns it into that plugin's load error.
 */
export async function loadUrlPlugin(
  specifier: string,
  options: UrlPluginOptions = {},
): Promise<unknown> {
  const { url, pin } = splitPin(specifier);
  const shown = redactUrl(url);
  const copy = options.dir && `${options.dir}/${await sha256Hex(new TextEncoder().encode(url))}`;
  let source: string | undefined;
  if (copy && !options.reload) {
    const stored = readRegularFile(`${copy}.ts`, { maxBytes: MAX_PLUGIN_BYTES });
    if (stored.kind === "ok") {
      const sha256 = await sha256Hex(stored.bytes);
      if (pin && sha256 !== pin) {
        throw new Error(
          `the stored copy (sha256 ${sha256}) does not match the pinned sha256 ${pin}; ` +
            "run with --reload-plugins to fetch it again",
        );
      }
      source = new TextDecoder().decode(stored.bytes);
      options.note?.(
        `plugin ${shown}: using the copy fetched ${fetchedAt(copy)} (sha256 ` +
          `${sha256.slice(0, 16)}…); --reload-plugins fetches it again`,
      );
    }
  }
  if (source === undefined) {
    const bytes = await download(url, options.fetch ?? fetch);
    const sha256 = await sha256Hex(bytes);
    if (pin && sha256 !== pin) {
      throw new Error(`its content (sha256 ${sha256}) does not match the pinned sha256 ${pin}`);
    }
    source = new TextDecoder().decode(bytes);
    if (copy) await store(copy, bytes, url);
    options.note?.(
      `plugin ${shown}: fetched, sha256 ${sha256}` +
        (pin ? " (matches the pin)" : `; pin it by adding #sha256=${sha256} to the URL`),
    );
  }
  return await evaluatePluginSource(
    source,
    new URL(url).pathname,
    (name) =>
      `imports "${name}": a plugin loaded from a URL must be self-contained (type-only imports, ` +
      "fetch and the plugin kit are fine); save it with its imports and pass its path to use " +
      "plugins that import other code",
  );
}

/** `https://x/p.ts#sha256=ab…` → the URL to fetch and the pinned digest. */
function splitPin(specifier: string): { url: string; pin?: string } {
  const match = specifier.match(/^(.*)#sha256=([0-9a-fA-F]{64})$/);
  if (match) return { url: match[1], pin: match[2].toLowerCase() };
  if (specifier.includes("#sha256=")) {
    throw new Error("#sha256= must be followed by 64 hexadecimal digits");
  }
  return { url: specifier.replace(/#.*$/, "") };
}

async function download(url: string, fetcher: typeof fetch): Promise<Uint8Array> {
  const response = await fetcher(url, { redirect: "follow" });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status} fetching it`);
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of response.body ?? new ReadableStream<Uint8Array>()) {
    length += chunk.length;
    if (length > MAX_PLUGIN_BYTES) {
      throw new Error(`it is larger than ${MAX_PLUGIN_BYTES / 1024 / 1024} MiB`);
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Writes the copy and a note of its URL and time, readable by the user only. */
async function store(copy: string, bytes: Uint8Array, url: string): Promise<void> {
  const dir = copy.slice(0, copy.lastIndexOf("/"));
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    if ((await Deno.lstat(dir)).isSymlink) return;
    for (
      const [path, data] of [
        [`${copy}.ts`, bytes],
        [`${copy}.json`, new TextEncoder().encode(JSON.stringify({ url, at: Date.now() }))],
      ] as const
    ) {
      const temp = `${path}.${crypto.randomUUID()}.tmp`;
      await Deno.writeFile(temp, data, { createNew: true, mode: 0o600 });
      await Deno.rename(temp, path);
    }
  } catch {
    // No copy kept (read-only cache folder): the plugin still loads, and is fetched next time.
  }
}

function fetchedAt(copy: string): string {
  const meta = readRegularFile(`${copy}.json`);
  if (meta.kind !== "ok") return "earlier";
  try {
    const at = Number(JSON.parse(new TextDecoder().decode(meta.bytes)).at);
    return Number.isFinite(at)
      ? new Date(at).toISOString().slice(0, 16).replace("T", " ")
      : "earlier";
  } catch {
    return "earlier";
  }
}
