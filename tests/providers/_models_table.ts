/**
 * The rows docs/MODELS.md must show for a plugin's model table (every cell but the last, which
 * names the source page). Shared by the test that keeps the doc and the tables equal and by
 * whoever updates the doc (`deno run tests/providers/_models_table.ts` prints the rows).
 */
import { resolveRules } from "../../lib/providers/rules.ts";
import type { ModelInfo, Pricing, ProviderPlugin } from "../../lib/providers/types.ts";

/** The cells of one model's row, without the source cell. */
export function modelCells(model: ModelInfo): string[] {
  const r = resolveRules(model.rules, undefined);
  const effort = r.effortLevels.length ? r.effortLevels.join(", ") : "none";
  return [
    `\`${model.id}\``,
    (model.aliases ?? []).map((a) => `\`${a}\``).join(", ") || "-",
    prices(model.pricing),
    tiers(model.pricing),
    model.contextWindow ? model.contextWindow.toLocaleString("en-US") : "-",
    r.maxOutputTokens ? r.maxOutputTokens.toLocaleString("en-US") : "not published",
    [
      `forced tool use: ${r.forcedToolChoice ? "yes" : "no"}`,
      `sampling: ${r.samplingParameters ? "yes" : "no"}`,
      `thinking: ${r.thinking}`,
      `effort: ${effort}`,
      `cache min: ${r.promptCacheMinTokens ? r.promptCacheMinTokens.toLocaleString("en-US") : "-"}`,
    ].join("; "),
  ];
}

function money(n: number): string {
  return `$${n}`;
}

function prices(p: Pricing): string {
  const cache = p.cacheRead === undefined && p.cacheWrite === undefined
    ? ""
    : `; cache ${money(p.cacheRead ?? p.input)} / ${money(p.cacheWrite ?? p.input)}`;
  return `${money(p.input)} / ${money(p.output)}${cache}`;
}

function tiers(p: Pricing): string {
  if (!p.tiers?.length) return "-";
  return p.tiers.map((t) =>
    `> ${t.aboveTokens.toLocaleString("en-US")}: ${money(t.input)} / ${money(t.output)}; cache ` +
    `${money(t.cacheRead ?? t.input)} / ${money(t.cacheWrite ?? t.input)}`
  ).join("<br>");
}

/** The header of every model table. */
export const TABLE_HEADER =
  "| model | aliases | $ per 1M: in / out; cache read / write | whole call above N prompt tokens | context | max output | rules | source |";

if (import.meta.main) {
  const { BUILTIN_PLUGINS } = await import("../../lib/providers/builtins.ts");
  for (const source of BUILTIN_PLUGINS) {
    const plugin = (await source.load() as { default: ProviderPlugin }).default;
    console.log(`\n<!-- table:${plugin.name} -->\n${TABLE_HEADER}\n|${" --- |".repeat(8)}`);
    for (const m of plugin.models) console.log(`| ${modelCells(m).join(" | ")} | |`);
    console.log(`<!-- /table:${plugin.name} -->`);
  }
}
