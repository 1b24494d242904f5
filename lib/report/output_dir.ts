/**
 * Checks on the output folder, made before any model is called: it must be a folder deeprepo
 * can write, reached without following a symbolic link the working folder could have planted
 * (a cloned repository that ships `outputs -> ~/.bashrc.d`), with problems said in words.
 *
 * @module
 */
import { EnvironmentError } from "../errors.ts";

/** `/a/b/` → `/a/b`; `/` stays `/`. */
function trimSlashes(path: string): string {
  return path.replace(/\/+$/, "") || "/";
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

/** Whether `path` is `folder` or inside it (both absolute, without trailing slashes). */
export function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder === "/" ? "/" : `${folder}/`);
}

/**
 * Says in words why a folder cannot take files, for a file-system error: a read-only or
 * protected folder, missing permissions, a system folder, or deeprepo's own Deno permissions.
 *
 * @example
 * ```ts
 * import { folderProblem } from "./output_dir.ts";
 * folderProblem(new Deno.errors.PermissionDenied("Permission denied (os error 13): tmpfile"));
 * // "you have no permission to write there"
 * ```
 */
export function folderProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const os = Number(message.match(/\(os error (\d+)\)/)?.[1]);
  if (error instanceof Deno.errors.NotCapable || /^Requires .* access/.test(message)) {
    return "deeprepo is not permitted to write there (a system folder?)";
  }
  if (os === 30) return "it is on a read-only file system";
  if (os === 1) return "writing there is not permitted (a read-only or protected folder)";
  if (os === 13 || error instanceof Deno.errors.PermissionDenied) {
    return "you have no permission to write there";
  }
  if (os === 28) return "the disk is full";
  if (os === 20) return "a part of the path is a file, not a folder";
  if (os === 2 || error instanceof Deno.errors.NotFound) {
    return "it cannot hold files (a system folder?)";
  }
  return message.replace(/ \(os error \d+\)(: .*)?$/, "").replace(/[.:]\s*$/, "");
}

/** Options of {@linkcode checkOutputDir}. */
export interface OutputDirCheck {
  /**
   * The user's working folder. The output folder, and every folder above it that lies inside the
   * working folder, must not be a symbolic link: a repository checked out there could point one
   * anywhere. Folders above the working folder are the user's own layout and are followed.
   */
  cwd?: string;
}

/**
 * Fails before any model is called when the output folder cannot be used: it (or a parent) is
 * a file or a symbolic link that could lead elsewhere, or the nearest existing parent is not
 * writable. Creates nothing.
 *
 * @param dir Absolute output folder.
 * @param options The working folder, for the symbolic-link rule.
 * @throws {EnvironmentError} One line naming the folder, what is wrong and how to fix it.
 */
export async function checkOutputDir(dir: string, options: OutputDirCheck = {}): Promise<void> {
  const target = trimSlashes(dir);
  const cwd = options.cwd ? trimSlashes(options.cwd) : undefined;
  const fail = (why: string): never => {
    throw new EnvironmentError(`output folder ${dir}: ${why} (choose another with -o)`);
  };
  let at = target;
  for (;;) {
    let info: Deno.FileInfo | undefined;
    try {
      info = await Deno.lstat(at);
    } catch (e) {
      const missing = e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory;
      if (!missing) fail(folderProblem(e));
    }
    const belowCwd = cwd !== undefined && at !== cwd && isInside(at, cwd);
    if (info?.isSymlink && (at === target || belowCwd)) {
      const where = at === target ? "it is" : `${at} is`;
      fail(`${where} a symbolic link; deeprepo does not write through links`);
    }
    if (info?.isSymlink) {
      info = await Deno.stat(at).catch(() => undefined); // the user's own layout: follow it
      if (!info) fail(`${at} is a broken symbolic link`);
    }
    if (info) {
      if (!info.isDirectory) fail(at === target ? "not a folder" : `${at} is not a folder`);
      break;
    }
    const parent = parentOf(at);
    if (parent === at) return;
    at = parent;
  }
  // The nearest existing folder must take a new file (a probe, removed at once).
  try {
    const probe = await Deno.makeTempFile({ dir: at, prefix: ".deeprepo_probe_" });
    await Deno.remove(probe);
  } catch (e) {
    fail(`${at === target ? "it" : at} cannot take new files: ${folderProblem(e)}`);
  }
}

/**
 * Whether the output folder lies inside the analysed folder (then its reports become part of
 * the next analysis of that folder, and the repository decides what is already there).
 *
 * @param outputDir Absolute output folder (need not exist yet).
 * @param source Absolute analysed folder, or a git URL (never inside).
 */
export async function outputInsideSource(outputDir: string, source: string): Promise<boolean> {
  if (!source.startsWith("/")) return false;
  const real = async (path: string): Promise<string> => {
    // The nearest existing folder, resolved, with the rest of the path appended.
    let rest = "";
    let at = trimSlashes(path);
    for (;;) {
      try {
        return trimSlashes(`${await Deno.realPath(at)}${rest}`);
      } catch {
        const parent = parentOf(at);
        if (parent === at) return trimSlashes(path);
        rest = `${at.slice(parent.length === 1 ? 0 : parent.length)}${rest}`;
        at = parent;
      }
    }
  };
  return isInside(await real(outputDir), await real(source));
}
