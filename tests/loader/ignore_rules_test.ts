import { assertEquals } from "../_helpers/assert.ts";
import { IgnoreStack } from "../../lib/loader/ignore_rules.ts";

Deno.test("IgnoreStack ignores nothing when empty", () => {
  const rules = IgnoreStack.empty();
  assertEquals(rules.isEmpty, true);
  assertEquals(rules.isIgnored("a/b.ts", false), false);
});

Deno.test("IgnoreStack applies a nested file relative to its folder", () => {
  const rules = IgnoreStack.empty().push("", "*.log\n").push("pkg", "/gen.ts\ncache/\n");
  assertEquals(rules.isIgnored("x.log", false), true);
  assertEquals(rules.isIgnored("pkg/deep/x.log", false), true);
  assertEquals(rules.isIgnored("pkg/gen.ts", false), true);
  assertEquals(rules.isIgnored("pkg/sub/gen.ts", false), false, "anchored to pkg/");
  assertEquals(rules.isIgnored("gen.ts", false), false, "pkg rules do not reach the root");
  assertEquals(rules.isIgnored("pkg/cache", true), true);
  assertEquals(rules.isIgnored("pkg/cache", false), false, "folder-only pattern");
});

Deno.test("IgnoreStack lets a deeper negation re-include a file", () => {
  const rules = IgnoreStack.empty().push("", "*.log\n").push("keep", "!important.log\n");
  assertEquals(rules.isIgnored("keep/important.log", false), false);
  assertEquals(rules.isIgnored("keep/other.log", false), true);
});

Deno.test("IgnoreStack lets a deeper ignore override a shallower negation", () => {
  const rules = IgnoreStack.empty().push("", "!*.md\n").push("docs", "*.md\n");
  assertEquals(rules.isIgnored("docs/a.md", false), true);
  assertEquals(rules.isIgnored("a.md", false), false);
});

Deno.test("IgnoreStack matches case-sensitively like git on Linux", () => {
  const rules = IgnoreStack.empty().push("", "Secret.ts\n");
  assertEquals(rules.isIgnored("Secret.ts", false), true);
  assertEquals(rules.isIgnored("secret.ts", false), false);
});

Deno.test("IgnoreStack applies a file above the root to paths under the root's place in it", () => {
  const rules = IgnoreStack.empty()
    .pushAbove("packages/api", "/packages/api/gen/\n*.log\n/top.ts\n")
    .push("", "!keep.log\n");
  assertEquals(rules.isIgnored("gen", true), true, "anchored at the file's folder");
  assertEquals(rules.isIgnored("x.log", false), true);
  assertEquals(rules.isIgnored("keep.log", false), false, "the root's own file wins");
  assertEquals(rules.isIgnored("top.ts", false), false, "/top.ts means the outer folder's");
  assertEquals(rules.isIgnored("", true), false);
  assertEquals(
    IgnoreStack.empty().pushAbove("packages/api", "api/\n").isIgnored("", true),
    true,
    "the root itself can be ignored by rules above it",
  );
});
