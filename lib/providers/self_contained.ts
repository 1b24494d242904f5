/**
 * Loading user plugins inside a `deno compile` binary.
 *
 * A compiled binary cannot import a module that was not embedded at compile time
 * (denoland/deno#18327: "Module not found"), so a plugin given by path or URL is loaded here
 * instead: its source is read (or fetched), its TypeScript types are stripped and its ES module
 * syntax turned into CommonJS by sucrase, and it is evaluated as a function. That works for a
 * self-contained plugin — imports of types only (they are erased), HTTP through `fetch` — which is
 * what docs/PLUGINS.md's example is. The one code import allowed is the plugin kit
 * (`.../lib/plugin_kit/mod.ts`, by path or URL): the binary hands over its own embedded copy
 * (see {@linkcode provideToSelfContained}). A
 * plugin that imports other code (an SDK, a helper file) fails with a message saying so; run
 * deeprepo with `deno run` or `deno install` to use such plugins.
 *
 * A plugin is trusted code in either form: it runs with deeprepo's own permissions.
 *
 * @module
 */

/** Modules the binary hands to self-contained plugins instead of refusing their import. */
const provided: { pattern: RegExp; load(): Promise<unknown> }[] = [];

/**
 * Lets self-contained plugins import a module of the binary: an import whose specifier matches
 * `pattern` gets `load()`'s module (the CLI provides the plugin kit this way; the providers
 * layer cannot import the kit itself, which depends on it).
 *
 * @param pattern Matches the specifiers, e.g. `/(^|\/)lib\/plugin_kit\/mod\.ts$/`.
 * @param load Imports the module.
 */
export function provideToSelfContained(pattern: RegExp, load: () => Promise<unknown>): void {
  provided.push({ pattern, load });
}

/** True inside a `deno compile` binary. */
export function isStandalone(): boolean {
  return Boolean((Deno.build as { standalone?: boolean }).standalone);
}

/**
 * Imports a plugin module by reading and evaluating its source (see the module doc).
 *
 * @param url `file:`, `http:` or `https:` URL of the plugin.
 * @returns The module namespace (`default` holds the plugin).
 * @throws {Error} When the source cannot be read or the plugin imports code.
 */
export async function importSelfContained(url: string): Promise<Record<string, unknown>> {
  const parsed = new URL(url);
  let source: string;
  if (parsed.protocol === "file:") {
    source = await Deno.readTextFile(parsed);
  } else if (parsed.protocol === "http:" || parsed.protocol === "https:") {
    const response = await fetch(parsed);
    if (!response.ok) throw new Error(`HTTP ${response.status} fetching ${url}`);
    source = await response.text();
  } else {
    throw new Error(`unsupported plugin URL scheme ${parsed.protocol} in a compiled binary`);
  }
  return await evaluatePluginSource(
    source,
    parsed.pathname,
    (name) =>
      `imports "${name}": in a compiled deeprepo binary a plugin must be self-contained ` +
      "(type-only imports, fetch and the plugin kit are fine); run deeprepo with `deno run` " +
      "or `deno install` to use plugins that import other code",
  );
}

/**
 * Evaluates a self-contained plugin's source: TypeScript types are stripped and its ES module
 * syntax turned into CommonJS by sucrase, then it runs as a function. Nothing goes through Deno's
 * module loader, so no lockfile or module cache is touched.
 *
 * @param source The module's text.
 * @param filePath Its path or URL path (for sucrase's messages).
 * @param importMessage The error for an import of code, given the imported name.
 * @returns The module namespace (`default` holds the plugin).
 * @throws {Error} When the plugin imports code, or its top-level code throws.
 */
export async function evaluatePluginSource(
  source: string,
  filePath: string,
  importMessage: (name: string) => string,
): Promise<Record<string, unknown>> {
  const { transform } = await import("npm:sucrase@3.35.1");
  const { code } = transform(source, { transforms: ["typescript", "imports"], filePath });
  const module = { exports: {} as Record<string, unknown> };
  const wanted = [...code.matchAll(/\brequire\((["'])(.*?)\1\)/g)].map((m) => m[2]);
  const modules = new Map<string, unknown>();
  for (const name of wanted) {
    const source = provided.find((p) => p.pattern.test(name));
    if (source) modules.set(name, await source.load());
  }
  const require = (name: string) => {
    if (modules.has(name)) return modules.get(name);
    throw new Error(importMessage(name));
  };
  new Function("exports", "require", "module", code)(module.exports, require, module);
  return module.exports;
}

/**
 * Imports a user plugin: natively, and in a compiled binary from its source when the binary
 * cannot import it.
 */
export async function importPlugin(url: string): Promise<unknown> {
  if (!isStandalone()) return await import(url);
  try {
    return await import(url);
  } catch {
    return await importSelfContained(url);
  }
}
