/**
 * Writes the managed block into a file of the analysed repository (`--write`), never
 * following a symbolic link (a hostile repository may ship `AGENTS.md -> ~/.bashrc`), never
 * touching text outside the block, and refusing read-only files and hand-edited blocks.
 *
 * @module
 */
import { EnvironmentError } from "../errors.ts";
import { EditedBlockError, upsertBlock } from "../freshness/mod.ts";

/** Largest context file deeprepo will rewrite. */
const MAX_EXISTING_BYTES = 4 * 1024 * 1024;

/**
 * Puts `body` into `root/file` as deeprepo's block.
 *
 * @param root The repository folder.
 * @param file Relative path with `/` (e.g. `.cursor/rules/deeprepo.mdc`).
 * @param body The block's content.
 * @param from The analysis it came from.
 * @param header Text a new file starts with.
 * @returns The absolute path written.
 * @throws {EnvironmentError} (exit 2; nothing written) for a symlink on the way, a read-only or
 *   oversized file, or a block edited by hand.
 */
export async function writeContextFile(
  root: string,
  file: string,
  body: string,
  from: string,
  header: string,
): Promise<string> {
  const parts = file.split("/");
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = `${dir}/${part}`;
    const info = await lstatOrUndefined(dir);
    if (!info) await Deno.mkdir(dir);
    else if (!info.isDirectory) {
      throw new EnvironmentError(`cannot write ${file}: ${dir} is not a plain folder (a link?)`);
    }
  }
  const target = `${root}/${file}`;
  const info = await lstatOrUndefined(target);
  let existing: string | undefined;
  if (info) {
    if (!info.isFile) {
      throw new EnvironmentError(`cannot write ${file}: it is not a regular file (a link?)`);
    }
    if (info.mode !== null && (info.mode & 0o222) === 0) {
      throw new EnvironmentError(`cannot write ${file}: it is read-only`);
    }
    if (info.size > MAX_EXISTING_BYTES) {
      throw new EnvironmentError(`cannot write ${file}: it is larger than 4 MB`);
    }
    existing = await Deno.readTextFile(target);
  }
  let text: string;
  try {
    text = upsertBlock(existing, body, from, header);
  } catch (error) {
    if (error instanceof EditedBlockError) {
      throw new EnvironmentError(`not writing ${file}: ${error.message}`);
    }
    throw error;
  }
  const tmp = `${dir}/.${parts.at(-1)}.deeprepo-${crypto.randomUUID()}`;
  await Deno.writeTextFile(tmp, text, { createNew: true, mode: info?.mode ?? 0o644 });
  try {
    await Deno.rename(tmp, target);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw new EnvironmentError(`cannot write ${file}: ${(error as Error).message}`);
  }
  return target;
}

async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
