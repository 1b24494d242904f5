/**
 * Which files and folders the loader leaves out by name alone: the folders it never enters, the
 * files it never reads because they usually hold secrets, lockfiles, minified bundles, source
 * maps and formats that are binary by construction. Every other file is read, and its content
 * decides (see `read_files.ts`): any language or template that is text is loaded.
 *
 * @module
 */

/** A set from a space-separated word list (keeps the long lists readable). */
function words(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter(Boolean));
}

/**
 * Names kept as their own `file_types` key (they have no extension, or one that says nothing).
 * The `.env` templates are loaded on purpose: by convention they hold placeholder values, and
 * they document the configuration a program reads.
 */
const NAMED_TYPES: ReadonlySet<string> = words(
  "Makefile Dockerfile Jenkinsfile Procfile .env.example .env.sample .env.template",
);

/**
 * Dependency lockfiles: generated, long, and about versions rather than code. The package's
 * manifest (`package.json`, `Cargo.toml`, ...) is loaded and says what matters.
 */
export const LOCKFILES: ReadonlySet<string> = words(`
  package-lock.json npm-shrinkwrap.json yarn.lock pnpm-lock.yaml bun.lock bun.lockb deno.lock
  Cargo.lock poetry.lock uv.lock Pipfile.lock pdm.lock pixi.lock go.sum go.work.sum
  composer.lock Gemfile.lock mix.lock pubspec.lock Podfile.lock Package.resolved flake.lock
  gradle.lockfile packages.lock.json paket.lock conan.lock .terraform.lock.hcl
  cabal.project.freeze stack.yaml.lock shard.lock
`);

/**
 * Extensions of formats that are binary by construction; skipped as `binary` without reading
 * them (the content check would say the same, after a read).
 */
const BINARY_EXTENSIONS: ReadonlySet<string> = words(`
  .png .jpg .jpeg .gif .bmp .ico .icns .webp .avif .tif .tiff .psd .pdf .zip .gz .tgz .bz2 .xz
  .zst .7z .rar .jar .war .class .dll .exe .so .dylib .o .a .lib .obj .wasm .pyc .pyo .whl
  .woff .woff2 .ttf .otf .eot .mp3 .mp4 .m4a .wav .ogg .flac .mov .avi .mkv .webm .sqlite
  .db .bin .dat .pak .npy .npz .pt .onnx .parquet
`);

/** Folders never entered, at any depth: VCS data, dependencies, build output, caches. */
export const SKIP_FOLDERS: ReadonlySet<string> = words(`
  .git .hg .svn node_modules vendor .cargo __pycache__ .venv venv env .tox .pytest_cache
  .mypy_cache dist build .next .nuxt target coverage .coverage htmlcov .deeprepo
`);

/** Extensions of key material and credential stores. */
const SECRET_EXTENSIONS: ReadonlySet<string> = words(
  ".env .pem .key .p12 .pfx .jks .keystore .kdbx",
);

/** Exact names of private keys and credential files. */
const SECRET_NAMES: ReadonlySet<string> = words(`
  .env id_rsa id_dsa id_ecdsa id_ed25519 .netrc .npmrc .pypirc .pgpass .htpasswd
  .git-credentials
`);

/** Stems that mark a `*.env` file as a template rather than real values. */
const TEMPLATE_STEMS: ReadonlySet<string> = words(
  "example sample template",
);

/**
 * The lower-case extension of a file name, with the dot; `""` when there is none. A leading dot
 * does not start an extension (`.gitignore` has none), as in Python's `Path.suffix`.
 */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot).toLowerCase() : "";
}

/**
 * True for files that usually hold secrets and are never read: `.env`, `.env.*` and `*.env`
 * (except the `example`/`sample`/`template` variants), private keys and certificates (`*.pem`,
 * `*.key`, `id_rsa`, ...), keystores and credential files (`.netrc`, `.npmrc`, ...).
 */
export function isSecretName(name: string): boolean {
  if (SECRET_NAMES.has(name)) return true;
  if (name.startsWith(".env.")) return !NAMED_TYPES.has(name);
  const ext = extensionOf(name);
  if (!SECRET_EXTENSIONS.has(ext)) return false;
  if (ext === ".env") return !TEMPLATE_STEMS.has(name.slice(0, -4).toLowerCase());
  return true;
}

/**
 * The key a file counts under in `metadata.file_types`: its lower-case extension, or its name
 * for the extensionless names (`Makefile`, `Dockerfile` and its `Dockerfile.*` variants, ...).
 */
export function fileTypeOf(name: string): string {
  if (name.startsWith("Dockerfile.")) return "Dockerfile";
  if (NAMED_TYPES.has(name)) return name;
  return extensionOf(name) || name;
}

/** What the loader does with a file, judged by its name. */
export type NameVerdict = "include" | "secret" | "lockfile" | "minified" | "generated" | "binary";

/**
 * Classifies a file by name: secrets, lockfiles, minified bundles (`*.min.js`, `*.min.css`),
 * source maps (`*.map`, generated), formats binary by construction; everything else is read,
 * and its content decides (text or binary, minified by line length).
 */
export function classifyName(name: string): NameVerdict {
  const ext = extensionOf(name);
  if (isSecretName(name)) return "secret";
  if (LOCKFILES.has(name)) return "lockfile";
  if (ext === ".map") return "generated";
  if (BINARY_EXTENSIONS.has(ext)) return "binary";
  if (
    (ext === ".js" || ext === ".mjs" || ext === ".cjs" || ext === ".css") &&
    /[.-]min\.[a-z]+$/i.test(name)
  ) return "minified";
  return "include";
}
