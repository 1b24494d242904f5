import { assert, assertEquals } from "../_helpers/assert.ts";
import { BUILTIN_PLUGINS, MODEL_TABLE_CHECKED } from "../../lib/providers/builtins.ts";
import type { ProviderPlugin } from "../../lib/providers/types.ts";
import { modelCells } from "./_models_table.ts";

const DOC = new URL("../../docs/MODELS.md", import.meta.url);

/** The rows of one provider's table in docs/MODELS.md, as trimmed cells. */
function docRows(doc: string, provider: string): string[][] {
  const start = doc.indexOf(`<!-- table:${provider} -->`);
  const end = doc.indexOf(`<!-- /table:${provider} -->`);
  assert(start >= 0 && end > start, `docs/MODELS.md has no table for ${provider}`);
  return doc.slice(start, end).split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim()));
}

Deno.test("docs/MODELS.md lists every built-in model exactly as the plugin tables do, each with a source", async () => {
  const doc = await Deno.readTextFile(DOC);
  for (const source of BUILTIN_PLUGINS) {
    const plugin = (await source.load() as { default: ProviderPlugin }).default;
    const rows = docRows(doc, plugin.name);
    assertEquals(
      rows.map((r) => r.slice(0, -1)),
      plugin.models.map(modelCells),
      `docs/MODELS.md table for ${plugin.name} differs from plugins/${plugin.name}.ts ` +
        "(deno run tests/providers/_models_table.ts prints the rows)",
    );
    for (const row of rows) assert(row.at(-1), `${row[0]} names no source`);
  }
});

Deno.test("docs/MODELS.md states the day the tables were checked, the one list-models prints", async () => {
  const doc = await Deno.readTextFile(DOC);
  assert(
    doc.includes(`Checked against the published pages on\n${MODEL_TABLE_CHECKED}`) ||
      doc.includes(`Checked against the published pages on ${MODEL_TABLE_CHECKED}`),
  );
});
