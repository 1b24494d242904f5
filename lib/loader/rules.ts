/**
 * Which files and folders the loader takes, by name alone: the include lists (code, config and
 * doc extensions plus a few well-known file names), the folders it never enters, and the files
 * it never reads because they usually hold secrets.
 *
 * The lists start from the Python deeprepo's and add what a Deno/Node/Go repository needs
 * (`.mjs`, `.cjs`, `.mts`, `.cts`, `.jsonc`, `go.mod`, `Dockerfile.*`).
 *
 * @module
 */

/** A set from a space-separated word list (keeps the long lists readable). */
function words(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter(Boolean));
}

/** Source-code extensions (lower case, with the dot). */
export const CODE_EXTENSIONS: ReadonlySet<string> = words(`
  .py .js .ts .jsx .tsx .mjs .cjs .mts .cts .java .go .rs .rb .cpp .c .h .hpp .cs .php .swift
  .kt .sql .html .css .scss .vue .svelte .sh .bash .zsh .lua .r .scala .zig .dart .ex .exs
`);

/** Configuration, schema and infrastructure extensions. `.env` is listed but secret (see below). */
export const CONFIG_EXTENSIONS: ReadonlySet<string> = words(`
  .json .jsonc .yaml .yml .toml .ini .cfg .env .xml .conf .proto .graphql .prisma .tf .hcl
  .dockerfile
`);

/** Documentation extensions. */
export const DOC_EXTENSIONS: ReadonlySet<string> = words(
  ".md .txt .rst .adoc",
);

/**
 * Exact file names included whatever their extension. The `.env` templates are included on
 * purpose: by convention they hold placeholder values, and they document the configuration a
 * program reads.
 */
export const INCLUDED_NAMES: ReadonlySet<string> = words(
  "Makefile Dockerfile Jenkinsfile Procfile go.mod .env.example .env.sample .env.template",
);

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
  if (name.startsWith(".env.")) return !INCLUDED_NAMES.has(name);
  const ext = extensionOf(name);
  if (!SECRET_EXTENSIONS.has(ext)) return false;
  if (ext === ".env") return !TEMPLATE_STEMS.has(name.slice(0, -4).toLowerCase());
  return true;
}

/** True when a file of this name is one the loader reads (before ignore rules and content checks). */
export function isIncludedName(name: string): boolean {
  if (INCLUDED_NAMES.has(name) || name.startsWith("Dockerfile.")) return true;
  const ext = extensionOf(name);
  return CODE_EXTENSIONS.has(ext) || CONFIG_EXTENSIONS.has(ext) || DOC_EXTENSIONS.has(ext);
}

/**
 * The key a file counts under in `metadata.file_types`: its lower-case extension, or its name
 * for the extensionless names (`Makefile`, `Dockerfile` and its `Dockerfile.*` variants, ...).
 */
export function fileTypeOf(name: string): string {
  if (name.startsWith("Dockerfile.")) return "Dockerfile";
  if (INCLUDED_NAMES.has(name)) return name;
  return extensionOf(name) || name;
}

/** What the loader does with a file, judged by its name. */
export type NameVerdict = "include" | "secret" | "not_included";

/** Classifies a file by name: secrets first, then the include lists. */
export function classifyName(name: string): NameVerdict {
  // The walk calls this for every file: look the extension up once, answer the common case
  // (an ordinary source file) without the secret checks' string work.
  const ext = extensionOf(name);
  const knownExtension = CODE_EXTENSIONS.has(ext) || DOC_EXTENSIONS.has(ext) ||
    (CONFIG_EXTENSIONS.has(ext) && ext !== ".env");
  if (knownExtension && !name.startsWith(".env.") && !SECRET_NAMES.has(name)) return "include";
  if (isSecretName(name)) return "secret";
  return isIncludedName(name) ? "include" : "not_included";
}
