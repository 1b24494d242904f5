/**
 * Adversarial suite, round 3: attacks found by an independent tester after the #18 fixes. Each
 * test holds the exact input that worked; see the end of this file for what was tried and held.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { prepareCode } from "../../lib/sandbox/transform.ts";
import { checkCitations } from "../../lib/report/citations.ts";

Deno.test("round 3: many edits do not make the host's transform quadratic (it blocked the event loop)", () => {
  // 30,000 `import(1);` (300 KB) kept the host's event loop busy for 305 s inside prepareCode,
  // before the execution clock started: --exec-timeout and Ctrl-C could not run. 30,000
  // declarators took 188 s. The bound below is a hang detector (linear work takes ~1-3 s here).
  for (
    const [name, code, needle] of [
      ["import()", "import(1);".repeat(30_000), "__deeprepo__.importDenied(1)"],
      [
        "declarators",
        "const " + Array.from({ length: 30_000 }, (_, i) => `a${i}=1`).join(",") + ";",
        "(a29999=1)",
      ],
    ]
  ) {
    const started = performance.now();
    const prepared = prepareCode(code, 1);
    const seconds = (performance.now() - started) / 1000;
    assert(prepared.ok, name);
    assert(prepared.source.includes(needle), name);
    if (name === "import()") {
      assertEquals(prepared.source.split("__deeprepo__.importDenied(1)").length - 1, 30_000);
    }
    assert(seconds < 60, `${name}: the transform took ${seconds.toFixed(1)} s`);
  }
});

Deno.test("round 3: the report's citation check is linear in the answer's length (it held the host)", () => {
  // The answer (up to 8 M characters, written by root-model code) is checked for citations on
  // the host after the run. Each of these 400,000-character lines took minutes (quadratic): the
  // host hung before writing the report, with everything already paid for. Bound = hang detector.
  const source = { files: new Map([["x/a.ts", "a\n"]]), skipped: new Map<string, string>() };
  for (
    const [name, report] of [
      ["a run of path characters with failing ends", "~]/".repeat(133_334)],
      ["many citations on one line", "x/a.ts ".repeat(57_143)],
      ["blanks after a citation", "x/a.ts" + " ".repeat(400_000)],
    ]
  ) {
    const started = performance.now();
    const checked = checkCitations(report, source);
    const seconds = (performance.now() - started) / 1000;
    assert(checked.text.length >= report.length, name);
    assert(seconds < 30, `${name}: the citation check took ${seconds.toFixed(1)} s`);
  }
});
