/**
 * A repository on disk for baseline and estimate tests: a large entry point (`main.py`), three
 * small modules that fit after it, and three medium ones that must be excluded at the budget
 * {@linkcode FIXTURE_BUDGET}. Margins are wide (thousands of characters) so metadata and tree
 * formatting changes cannot flip the outcome.
 *
 * @module
 */

/** Contents by path. */
export const FIXTURE_FILES: Record<string, string> = {
  "main.py": `if __name__ == "__main__":\n    run()\n` + "# entry point body\n".repeat(1_050),
  "pkg/tiny.py": "x = 1\n".repeat(15),
  "pkg/small.py": "def f():\n    return 2\n".repeat(10),
  "pkg/little.py": "y = [1, 2, 3]\n".repeat(25),
  "pkg/medium_a.py": "# medium a\n".repeat(460),
  "pkg/medium_b.py": "# medium bb\n".repeat(500),
  "pkg/medium_c.py": "# medium ccc\n".repeat(540),
};

/** main.py (~20k chars) and the small files fit; adding any medium file (5k+) does not. */
export const FIXTURE_BUDGET = 24_000;

/** Files smallest first, as the baseline offers them after the entry point. */
export const SMALL = ["pkg/tiny.py", "pkg/small.py", "pkg/little.py"];
export const MEDIUM = ["pkg/medium_a.py", "pkg/medium_b.py", "pkg/medium_c.py"];

/** Writes the fixture into `dir` (created) and returns `dir`. */
export async function writeFixture(dir: string): Promise<string> {
  for (const [path, content] of Object.entries(FIXTURE_FILES)) {
    const full = `${dir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, content);
  }
  return dir;
}

/** Environment for a CLI subprocess: isolated config, cache and working folder. */
export function isolatedEnv(
  tmp: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    XDG_CONFIG_HOME: `${tmp}/config`,
    DEEPREPO_CACHE_DIR: `${tmp}/cache`,
    ...extra,
  };
}
