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
  /**
   * Literal text every secret this rule finds contains (its prefix: `ghp_`, `AKIA`, ...): a
   * text without any match cannot hold one, so the rule is not run on it. Absent: always run.
   */
  trigger?: RegExp;
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
  trigger: /eyJ/,
  scan(content, _path, report) {
    for (const match of content.matchAll(JWT)) report(match.index, match.index + match[0].length);
  },
};

/**
 * For each preset rule, what its patterns all start with (or contain), read off the rule's
 * regular expressions: gitleaks' "keywords" idea. One cheap literal search over a chunk of files
 * replaces the rule's own scan wherever the chunk cannot match; the rules' expressions (Unicode
 * look-behinds, long alternations) are the slow part of scanning. A preset rule missing here
 * always runs (and a test names it); `basicauth` has none on purpose: `://` is in nearly every
 * chunk of code, and its own expression is cheap.
 */
export const TRIGGERS: Readonly<Record<string, RegExp>> = {
  aws: /A3T|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA|SECRET|[Ss]ecret|ACCOUNT|[Aa]ccount/,
  npm: /npm_|_authToken|x-oauth-basic/,
  slack: /xox[bpaor]-|xapp-|hooks\.slack\.com/i,
  openai: /T3BlbkFJ/,
  anthropic: /sk-ant-api0/,
  groq: /gsk_/,
  huggingface: /hf_/,
  linear: /lin_api_/,
  notion: /ntn_/,
  privatekey: /PRIVATE KEY/,
  sendgrid: /SG\./,
  shopify: /shppa_|shpca_|shpat_|shpss_/,
  stripe: /sk_live_|sk_test_|rk_live_|rk_test_/,
  github: /gh[pousr]_|github_pat_/,
  gitlab: /glpat-/,
  grafana: /glc_|glsa_/,
  "1password": /ops_ey/,
  "database-connection-string": /mongodb|mysql|postgres/i,
  "hashicorp-vault": /hv[sbr]\./,
  vercel: /vc[pciark]_/,
  databricks: /dapi/,
  docker: /dckr_pat_/,
  figma: /figd_/,
  cloudflare: /cfk_|cfut_|cfat_/,
  tailscale: /tskey-/,
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
  const name = rule.meta.id.replace(PREFIX, "");
  return {
    name,
    trigger: TRIGGERS[name],
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

/** The preset rules deeprepo runs (the preset less the two left out), by short name. */
export function presetRuleNames(): string[] {
  return (presetRules as unknown as PresetRule[])
    .filter((rule) => !LEFT_OUT.has(rule.meta.id))
    .map((rule) => rule.meta.id.replace(PREFIX, ""));
}

/** The rules every loaded file is scanned with. */
export function secretRules(): SecretRule[] {
  const preset = (presetRules as unknown as PresetRule[])
    .filter((rule) => !LEFT_OUT.has(rule.meta.id))
    .map(fromPreset);
  return [...preset, jwtRule];
}
