/**
 * The secret rules: secretlint's recommended preset (`@secretlint/secretlint-rule-preset-recommend`),
 * run directly through its rule API, plus one rule the preset lacks (JSON Web Tokens).
 *
 * Two preset rules are left out: `filter-comments` (a `secretlint-disable` comment in the analysed
 * repository must not keep a secret from being masked) and `gcp` (it reports a whole service-account
 * JSON file; the private key inside it is found by `privatekey`, and the rest are identifiers).
 * The AWS rule also reports access key IDs (`AKIA...`), which the preset leaves off by default.
 *
 * @module
 */
import { rules as presetRules } from "npm:@secretlint/secretlint-rule-preset-recommend@13.0.7";

/** A secret found in a text: `[start, end)` in UTF-16 code units, and the rule's short name. */
export interface Finding {
  start: number;
  end: number;
  rule: string;
}

/** One scanning rule: finds secrets in a text. */
export interface SecretRule {
  /** Short name shown in `[REDACTED:<name>]` (`aws`, `github`, `privatekey`, ...). */
  name: string;
  /** Reports every secret in `content`; `path` is the file's relative path. */
  scan(content: string, path: string, report: (start: number, end: number) => void): void;
}

const PREFIX = "@secretlint/secretlint-rule-";
const LEFT_OUT = new Set([`${PREFIX}filter-comments`, `${PREFIX}gcp`]);
const RULE_OPTIONS: Record<string, Record<string, unknown>> = {
  [`${PREFIX}aws`]: { enableIDScanRule: true },
};

/** The parts of a secretlint rule this module uses (the preset's types are not exported). */
interface PresetRule {
  meta: { id: string };
  create(
    context: Record<string, unknown>,
    options: Record<string, unknown>,
  ): { file?(source: Record<string, unknown>): unknown };
}

/**
 * A JSON Web Token: three base64url parts, the first two JSON objects (`eyJ` = `{"`). A signed
 * token is a bearer credential, and the preset has no rule for it.
 */
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g;

const jwtRule: SecretRule = {
  name: "jwt",
  scan(content, _path, report) {
    for (const match of content.matchAll(JWT)) report(match.index, match.index + match[0].length);
  },
};

/** Adapts one preset rule to {@linkcode SecretRule}, with a minimal rule context. */
function fromPreset(rule: PresetRule): SecretRule {
  let sink: ((start: number, end: number) => void) | undefined;
  const context = {
    createTranslator: () => (id: string) => ({ id }),
    report(descriptor: { range?: [number, number] }) {
      const range = descriptor.range;
      if (range && range[1] > range[0]) sink?.(range[0], range[1]);
    },
    ignore() {},
    registerRule() {},
  };
  const handler = rule.create(context, RULE_OPTIONS[rule.meta.id] ?? {});
  return {
    name: rule.meta.id.replace(PREFIX, ""),
    scan(content, path, report) {
      sink = report;
      try {
        handler.file?.({
          content,
          filePath: path,
          ext: path.slice(path.lastIndexOf(".")),
          contentType: "text",
        });
      } finally {
        sink = undefined;
      }
    },
  };
}

/** The rules every loaded file is scanned with. */
export function secretRules(): SecretRule[] {
  const preset = (presetRules as unknown as PresetRule[])
    .filter((rule) => !LEFT_OUT.has(rule.meta.id))
    .map(fromPreset);
  return [...preset, jwtRule];
}
