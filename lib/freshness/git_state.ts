/**
 * The git state of an analysed folder: HEAD's commit, whether the work tree differs from it,
 * and how many commits lie between two commits. Read without letting the repository run
 * anything: only commands that execute no configured program are used (`rev-parse`,
 * `rev-list`, `config --list`), and `status` runs only when the repository's configuration (every
 * scope, `config.worktree` included) sets nothing `status` could execute (clean filters, fsmonitor,
 * includes), and never inside submodules (their configuration is their own).
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

/** Longest a git command may take before its answer counts as unknown (git blocks forever on a
 * shipped `.git/index` that is a FIFO, and a first Ctrl-C reaches only deeprepo). */
export const GIT_TIMEOUT_MS = 15_000;

/**
 * A runner of the real `git` with system and global configuration ignored, no prompts, and the
 * command killed after `timeoutMs` (its answer is then unknown).
 */
export function gitRunner(timeoutMs: number): GitRunner {
  return (cwd, args) => runGitFor(cwd, args, timeoutMs);
}

/** Runs the real `git` with system and global configuration ignored, no prompts, a time limit. */
export const runGit: GitRunner = gitRunner(GIT_TIMEOUT_MS);

async function runGitFor(
  cwd: string,
  args: string[],
  timeoutMs: number,
): Promise<string | undefined> {
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
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the git state of `root`.
 *
 * @param root The analysed folder.
 * @param git The runner (tests pass a fake).
 */
export async function gitState(root: string, git: GitRunner = runGit): Promise<GitState> {
  const head = (await git(root, ["rev-parse", "--verify", "-q", "HEAD"]))?.trim();
  if (!head || !/^[0-9a-f]{40,64}$/.test(head)) return { commit: null, dirty: null };
  // Every scope git reads here (local, `config.worktree`, includes), not `--local` alone; the
  // runner's own `-c` settings (scope "command") are deeprepo's and are skipped.
  const config = await git(root, ["config", "--list", "--includes", "--name-only", "--show-scope"]);
  if (config === undefined) return { commit: head, dirty: null };
  const repoKeys = config.split("\n").map((line) => line.trim().split("\t"))
    .filter(([scope]) => scope !== "command").map((parts) => parts.at(-1) ?? "");
  if (repoKeys.some((k) => EXECUTING_KEYS.test(k))) {
    return { commit: head, dirty: null };
  }
  // Submodules carry their own configuration (and filters), unchecked here: not entered.
  const status = await git(root, [
    "status",
    "--porcelain",
    "--untracked-files=normal",
    "--ignore-submodules=all",
  ]);
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
