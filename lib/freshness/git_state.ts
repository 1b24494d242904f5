/**
 * The git state of an analysed folder: HEAD's commit, whether the work tree differs from it,
 * and how many commits lie between two commits. Read without letting the repository run
 * anything: only commands that execute no configured program are used (`rev-parse`,
 * `rev-list`, `config --list`), and `status` runs only when the repository's own configuration
 * sets nothing `status` could execute (clean filters, fsmonitor, includes).
 *
 * @module
 */

/** HEAD's commit and dirtiness; `null` where unknown (not a checkout, git missing, unsafe). */
export interface GitState {
  commit: string | null;
  dirty: boolean | null;
}

/** Runs git with arguments in a folder; resolves to stdout, or undefined when git failed. */
export type GitRunner = (cwd: string, args: string[]) => Promise<string | undefined>;

/** Config keys through which `git status` could run a program the repository chose. */
const EXECUTING_KEYS =
  /^(filter\.|core\.fsmonitor|include\.|includeif\.|diff\.|core\.hookspath|core\.sshcommand|core\.gitproxy|protocol\.)/i;

/** Runs the real `git` with system and global configuration ignored and no prompts. */
export const runGit: GitRunner = async (cwd, args) => {
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", cwd, "--no-optional-locks", "-c", "core.fsmonitor=false", ...args],
      env: {
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_TERMINAL_PROMPT: "0",
        GIT_PAGER: "cat",
        GIT_OPTIONAL_LOCKS: "0",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Reads the git state of `root`.
 *
 * @param root The analysed folder.
 * @param git The runner (tests pass a fake).
 */
export async function gitState(root: string, git: GitRunner = runGit): Promise<GitState> {
  const head = (await git(root, ["rev-parse", "--verify", "-q", "HEAD"]))?.trim();
  if (!head || !/^[0-9a-f]{40,64}$/.test(head)) return { commit: null, dirty: null };
  const config = await git(root, ["config", "--list", "--local", "--includes", "--name-only"]);
  if (config === undefined) return { commit: head, dirty: null };
  if (config.split("\n").some((k) => EXECUTING_KEYS.test(k.trim()))) {
    return { commit: head, dirty: null };
  }
  const status = await git(root, ["status", "--porcelain", "--untracked-files=normal"]);
  return { commit: head, dirty: status === undefined ? null : status.trim() !== "" };
}

/**
 * Commits reachable from `to` but not from `from` (`git rev-list --count from..to`).
 *
 * @returns The count, or null when either commit is unknown to this checkout.
 */
export async function commitsBetween(
  root: string,
  from: string,
  to: string,
  git: GitRunner = runGit,
): Promise<number | null> {
  if (!/^[0-9a-f]{40,64}$/.test(from) || !/^[0-9a-f]{40,64}$/.test(to)) return null;
  if (from === to) return 0;
  const out = await git(root, ["rev-list", "--count", `${from}..${to}`]);
  const n = Number(out?.trim());
  return out !== undefined && Number.isInteger(n) ? n : null;
}
