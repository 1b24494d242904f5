/**
 * The built-in plugins. Each is imported on its own (a literal dynamic import, so bundling and
 * `deno compile` still see it), so one that fails to load cannot break the others.
 *
 * @module
 */
import type { PluginSource } from "./sources.ts";

/**
 * The day the built-in plugins' prices, limits and model rules were last checked against the
 * providers' published pages (see docs/MODELS.md, which a test keeps equal to the tables).
 */
export const MODEL_TABLE_CHECKED = "2026-12-05";

/** The built-in plugins in listing order. */
export const BUILTIN_PLUGINS: PluginSource[] = [
  {
    specifier: "plugins/anthropic.ts",
    origin: "built-in",
    load: () => import("../../plugins/anthropic.ts"),
  },
  {
    specifier: "plugins/openrouter.ts",
    origin: "built-in",
    load: () => import("../../plugins/openrouter.ts"),
  },
  {
    specifier: "plugins/openai.ts",
    origin: "built-in",
    load: () => import("../../plugins/openai.ts"),
  },
  {
    specifier: "plugins/ollama.ts",
    origin: "built-in",
    load: () => import("../../plugins/ollama.ts"),
  },
];
