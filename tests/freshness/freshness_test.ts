import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertThrows,
} from "../_helpers/assert.ts";
import {
  diffFingerprints,
  EditedBlockError,
  findBlock,
  findPreviousRun,
  type Fingerprint,
  fingerprint,
  freshnessStatus,
  gitState,
  loadRunKey,
  sealRun,
  upsertBlock,
} from "../../lib/freshness/mod.ts";
import { EnvironmentError } from "../../lib/errors.ts";
import { loadCodebase } from "../../lib/loader/mod.ts";
import { withTempDir, writeTree } from "../loader/_fixture.ts";

async function git(cwd: string, ...args: string[]) {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.name=t", "-c", "user.email=t@t.invalid", ...args],
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
}

const fp = (files: Fingerprint["files"]): Fingerprint => ({
  source: "/r",
  git_commit: null,
  git_dirty: null,
  files,
});

Deno.test("diffFingerprints() lists added, changed and removed files and the changed share", () => {
  const d = diffFingerprints(
    fp({ "a.ts": ["1", 10], "b.ts": ["2", 30], "c.ts": ["3", 60] }),
    fp({ "a.ts": ["1", 10], "b.ts": ["9", 31], "d.ts": ["4", 5] }),
  );
  assertEquals([d.added, d.changed, d.removed], [["d.ts"], ["b.ts"], ["c.ts"]]);
  assertEquals([d.changedChars, d.analysedChars], [90, 100]);
});

Deno.test("fingerprint() records HEAD, dirtiness and a hash per file of a git checkout", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, { "src/a.ts": "export const a = 1;\n", "README.md": "# r\n" });
    await git(dir, "init", "-q");
    await git(dir, "add", ".");
    await git(dir, "commit", "-qm", "one");
    const { snapshot } = await loadCodebase(dir, { cwd: dir });
    const first = await fingerprint(snapshot);
    assertMatch(first.git_commit!, /^[0-9a-f]{40}$/);
    assertEquals(first.git_dirty, false);
    assertEquals(Object.keys(first.files).sort(), ["README.md", "src/a.ts"]);
    assertEquals(first.source, dir);

    await Deno.writeTextFile(`${dir}/src/a.ts`, "export const a = 2;\n");
    const { snapshot: s2 } = await loadCodebase(dir, { cwd: dir });
    const second = await fingerprint(s2);
    assertEquals(second.git_dirty, true);
    assertEquals(diffFingerprints(first, second).changed, ["src/a.ts"]);
  });
});

Deno.test("gitState() never runs a clean filter or fsmonitor the repository configures", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, { "a.txt": "x\n", ".gitattributes": "*.txt filter=evil\n" });
    await git(dir, "init", "-q");
    await git(dir, "add", ".");
    await git(dir, "commit", "-qm", "one");
    const marker = `${dir}/../pwned_${crypto.randomUUID()}`;
    await git(dir, "config", "filter.evil.clean", `touch ${marker}; cat`);
    await git(dir, "config", "core.fsmonitor", `touch ${marker}.fs; false`);
    await Deno.writeTextFile(`${dir}/a.txt`, "changed\n");
    const state = await gitState(dir);
    assertMatch(state.commit!, /^[0-9a-f]{40}$/);
    assertEquals(state.dirty, null, "dirtiness is unknown when status could run repo programs");
    await assertRejects(() => Deno.stat(marker), Deno.errors.NotFound);
    await assertRejects(() => Deno.stat(`${marker}.fs`), Deno.errors.NotFound);
  });
});

Deno.test("gitState() of a folder that is not a checkout is unknown, not an error", async () => {
  await withTempDir(async (dir) => {
    assertEquals(await gitState(dir), { commit: null, dirty: null });
  });
});

Deno.test("upsertBlock() replaces only its block and refuses a block edited by hand", () => {
  const first = upsertBlock("# Team notes\n\nKeep this.\n", "Body one.\n", "deeprepo_r_1");
  assertMatch(first, /^# Team notes\n\nKeep this\.\n\n<!-- deeprepo:begin from=deeprepo_r_1 /);
  const second = upsertBlock(`${first}\nAfter the block.\n`, "Body two.\n", "deeprepo_r_2");
  assert(second.startsWith("# Team notes\n\nKeep this.\n\n"));
  assert(second.endsWith("<!-- deeprepo:end -->\n\nAfter the block.\n"));
  assertEquals(findBlock(second)?.body, "Body two.\n");
  assertEquals(findBlock(second)?.from, "deeprepo_r_2");
  const edited = second.replace("Body two.", "Body two, edited.");
  assertEquals(findBlock(edited)?.intact, false);
  assertThrows(() => upsertBlock(edited, "Body three.\n", "deeprepo_r_3"), EditedBlockError);
});

Deno.test("upsertBlock() puts a header (front matter) only into a new file", () => {
  const text = upsertBlock(undefined, "B\n", "x", "---\nalwaysApply: true\n---\n\n");
  assertMatch(text, /^---\nalwaysApply: true\n---\n\n<!-- deeprepo:begin/);
});

async function writeRun(dir: string, name: string, metrics: Record<string, unknown>) {
  await Deno.mkdir(`${dir}/out`, { recursive: true });
  await Deno.writeTextFile(`${dir}/out/${name}_metrics.json`, JSON.stringify(metrics));
  await Deno.writeTextFile(`${dir}/out/${name}.md`, "# report\n");
}

Deno.test("findPreviousRun() picks the newest sealed run of the same source, refuses others", async () => {
  await withTempDir(async (dir) => {
    const key = (await loadRunKey(`${dir}/config`, true))!;
    const query = {
      spec: "latest",
      outputDir: `${dir}/out`,
      repoName: "app",
      source: "/src/app",
      analyzeHint: "deeprepo analyze /src/app",
      key,
    };
    await assertRejects(
      () => findPreviousRun(query),
      EnvironmentError,
      "no earlier analysis of app in",
    );
    const sealed = async (source: string) => {
      const fp = {
        source,
        git_commit: null,
        git_dirty: null,
        files: { "a.ts": ["1", 3] },
      } as Fingerprint;
      return { mode: "rlm", snapshot: { ...fp, seal: await sealRun(key, fp, "# report\n") } };
    };
    await writeRun(dir, "deeprepo_app_20261201_100000", await sealed("/src/app"));
    await writeRun(dir, "deeprepo_app_20261202_100000", await sealed("/src/app"));
    await writeRun(dir, "deeprepo_app_20261202_100000_2", await sealed("/src/app"));
    await writeRun(dir, "deeprepo_app_20261203_100000", await sealed("/other/app"));
    // Newer, but forged (no seal) or tampered with: never taken as "latest".
    const forged = (await sealed("/src/app")) as { snapshot: Record<string, unknown> };
    delete forged.snapshot.seal;
    await writeRun(dir, "deeprepo_app_20261205_100000", forged);
    const tampered = await sealed("/src/app");
    (tampered.snapshot.files as Record<string, unknown>)["a.ts"] = ["2", 3];
    await writeRun(dir, "deeprepo_app_20261206_100000", tampered);
    const run = await findPreviousRun(query);
    assertMatch(run.metricsPath, /deeprepo_app_20261202_100000_2_metrics\.json$/);
    await assertRejects(
      () => findPreviousRun({ ...query, spec: `${dir}/out/deeprepo_app_20261203_100000.md` }),
      EnvironmentError,
      "is an analysis of /other/app, not of /src/app",
    );
    await assertRejects(
      () => findPreviousRun({ ...query, spec: `${dir}/out/deeprepo_app_20261206_100000.md` }),
      EnvironmentError,
      "was not written by deeprepo for this user",
    );
    // Another user's key (or none) accepts nothing.
    const other = await loadRunKey(`${dir}/other_config`, true);
    await assertRejects(() => findPreviousRun({ ...query, key: other }), EnvironmentError);
    await assertRejects(() => findPreviousRun({ ...query, key: undefined }), EnvironmentError);
    // An edited report breaks the seal too.
    await Deno.writeTextFile(`${dir}/out/deeprepo_app_20261202_100000_2.md`, "# SAFE\n");
    const next = await findPreviousRun(query);
    assertMatch(next.metricsPath, /deeprepo_app_20261202_100000_metrics\.json$/);
    await writeRun(dir, "deeprepo_app_20261207_100000", { mode: "rlm" });
    await assertRejects(
      () => findPreviousRun({ ...query, spec: `${dir}/out/deeprepo_app_20261207_100000.md` }),
      EnvironmentError,
      "has no file hashes",
    );
  });
});

Deno.test("freshnessStatus() is fresh until a file changes, then names it and estimates", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, { "a.ts": "const a = 1;\n", "b.ts": "const b = 2;\n" });
    const { snapshot } = await loadCodebase(dir, { cwd: dir });
    const before = await fingerprint(snapshot);
    const previous = {
      metricsPath: `${dir}/out/deeprepo_x_20261201_100000_metrics.json`,
      reportPath: `${dir}/out/deeprepo_x_20261201_100000.md`,
      metrics: { sub_cost: 0.26, root_cost: 0.5, turns: 5 },
      fingerprint: before,
      timestamp: "20261201_100000",
    };
    const fresh = await freshnessStatus(previous, before, dir);
    assertEquals(fresh.fresh, true);
    assertEquals(fresh.refreshUsd, 0);
    await Deno.writeTextFile(`${dir}/b.ts`, "const b = 3;\n");
    const { snapshot: s2 } = await loadCodebase(dir, { cwd: dir });
    const stale = await freshnessStatus(previous, await fingerprint(s2), dir);
    assertEquals(stale.fresh, false);
    assertEquals(stale.diff.changed, ["b.ts"]);
    assertEquals(stale.changedShare, 0.5);
    // Sub rate 0.26 / 26 chars = 0.01 per char × 13 changed chars + 3 root turns × 0.1.
    assertEquals(stale.refreshUsd, 0.43);
  });
});

Deno.test("withoutBlock() gives back the file as it was before the block was added", async () => {
  const { withoutBlock } = await import("../../lib/freshness/managed_block.ts");
  for (const original of ["# Ours\n\nText.\n", "", "# Title\n"]) {
    const withBlock = upsertBlock(original, "Body.\n", "x");
    assertEquals(withoutBlock(withBlock), original);
  }
});
