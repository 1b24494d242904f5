/**
 * Shadowing, said out loud: when two plugins share a name, or list the same model id or alias,
 * the higher-precedence one wins silently in resolution. These helpers find who wins and who is
 * hidden, for `list-models` and for the warning a run prints when its model is affected.
 *
 * @module
 */
import type { ProviderPlugin } from "./types.ts";

/** A plugin as shadowing sees it: the plugin and where it came from. */
export interface PluginPlace {
  plugin: ProviderPlugin;
  specifier: string;
}

/** A model id or alias listed by more than one plugin. */
export interface ModelShadow {
  /** The id or alias, as users type it bare. */
  name: string;
  /** `provider:id` that a bare `name` resolves to (the highest-precedence plugin). */
  winner: string;
  /** Where the winner comes from. */
  winnerSource: string;
  /** `provider:id` of every lower-precedence plugin listing `name`, highest first. */
  shadowed: string[];
}

/** A plugin replaced by a later plugin with the same `name`. */
export interface PluginReplacement {
  name: string;
  /** The module that is used. */
  winner: string;
  /** Modules with the same name that are not used, latest first. */
  replaced: string[];
}

/**
 * Finds every id or alias listed by more than one plugin.
 *
 * @param places Usable plugins in precedence order, lowest first.
 * @returns One entry per shared name, in the order names first appear.
 */
export function findModelShadows(places: PluginPlace[]): ModelShadow[] {
  const listers = new Map<string, { label: string; source: string }[]>();
  for (const { plugin, specifier } of places) {
    for (const model of plugin.models) {
      for (const name of [model.id, ...(model.aliases ?? [])]) {
        const list = listers.get(name) ?? [];
        list.push({ label: `${plugin.name}:${model.id}`, source: specifier });
        listers.set(name, list);
      }
    }
  }
  const shadows: ModelShadow[] = [];
  for (const [name, list] of listers) {
    if (list.length < 2) continue;
    const [winner, ...rest] = [...list].reverse();
    shadows.push({
      name,
      winner: winner.label,
      winnerSource: winner.source,
      shadowed: rest.map((r) => r.label),
    });
  }
  return shadows;
}

/**
 * The one-line warning for a model string that resolved while other plugins also offer it, or
 * undefined when nothing was hidden.
 *
 * @param wanted The model string as the user wrote it.
 * @param label The `provider:id` it resolved to.
 * @param others `provider:id` (or `provider (source)`) of what it hides, highest first.
 * @param source Where the winning plugin comes from.
 */
export function shadowWarning(
  wanted: string,
  label: string,
  others: string[],
  source: string,
): string | undefined {
  if (!others.length) return undefined;
  const hidden = others.join(", ");
  return `model ${JSON.stringify(wanted)} is offered by more than one plugin: using ${label} ` +
    `(from ${source}, the highest precedence), not ${hidden}; write provider:model to choose`;
}

/**
 * The one-line warning for a plugin that replaced same-named plugins.
 *
 * @param replacement The replacement record.
 */
export function replacementWarning(replacement: PluginReplacement): string {
  return `plugin ${JSON.stringify(replacement.name)} from ${replacement.winner} replaces the ` +
    `plugin of the same name from ${replacement.replaced.join(", ")}`;
}
