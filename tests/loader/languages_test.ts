import { assertEquals } from "../_helpers/assert.ts";
import { buildLanguageTable } from "../../scripts/gen_languages.ts";
import table from "../../lib/loader/languages_table.json" with { type: "json" };
import { languageOf } from "../../lib/loader/languages.ts";

Deno.test("the committed language table is exactly what the generator makes from Linguist's data", () => {
  assertEquals(table, buildLanguageTable());
});

Deno.test("languageOf: exact names, longest extension, popular languages for shared ones", () => {
  const cases: Record<string, string> = {
    "main.rs": "Rust",
    "api.h": "C",
    "AppDelegate.m": "Objective-C",
    "README.md": "Markdown",
    "build.gradle.kts": "Gradle Kotlin DSL",
    "config.h.in": "C",
    "BUILD": "Starlark",
    "Gemfile": "Ruby",
    "LICENSE": "Text",
    "Dockerfile.prod": "Dockerfile",
    "view.ejs": "EJS",
    "x.unknownext": "Other",
  };
  for (const [name, language] of Object.entries(cases)) {
    assertEquals(languageOf(name), language, name);
  }
});
