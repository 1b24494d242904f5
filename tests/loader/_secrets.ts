/**
 * Fake secrets in real formats, and look-alikes that are not secrets, for the redaction tests.
 * Every value is built here from pieces and a seeded generator, so no file of this repository
 * holds a literal key that a scanner (GitHub's push protection, gitleaks) would flag.
 *
 * @module
 */

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ALNUM = UPPER + LOWER + DIGITS;
const B64 = ALNUM + "+/";
const HEX = "0123456789abcdef";

/** A deterministic random string generator (so failures reproduce). */
function generator(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return (alphabet: string, length: number) =>
    Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
}

/** One planted secret: where it goes, the line it is on, and the value that must vanish. */
export interface PlantedSecret {
  /** File it is written to (relative). */
  path: string;
  /** The file's full content. */
  content: string;
  /** A piece of the secret that must never leave the machine (the whole value, or its body). */
  value: string;
  /** The rule expected to find it. */
  rule: string;
}

/** A PEM block with a base64 body that starts like DER (`MII...`), lines of 64. */
function pem(kind: string, body: string): string {
  const lines = body.match(/.{1,64}/g)!.join("\n");
  return [`-----BEGIN ${kind}PRIVATE KEY-----`, lines, `-----END ${kind}PRIVATE KEY-----`]
    .join("\n");
}

/** 25 secrets in real formats, each in its own source file. */
export function plantedSecrets(): PlantedSecret[] {
  const r = generator(7);
  const ts = (name: string, value: string) => `// config\nexport const ${name} = "${value}";\n`;
  const list: PlantedSecret[] = [];
  const add = (path: string, rule: string, value: string, content?: string) =>
    list.push({ path, rule, value, content: content ?? ts("VALUE", value) });

  add("src/aws_id.ts", "aws", "AKIA" + r(UPPER + "234567", 16));
  const awsSecret = r(B64, 40);
  add("src/aws_secret.py", "aws", awsSecret, `import os\naws_secret_access_key = "${awsSecret}"\n`);
  const gcpKey = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + r(B64, 600);
  add(
    "config/service-account.json",
    "privatekey",
    gcpKey.slice(0, 200),
    JSON.stringify(
      {
        type: "service_account",
        project_id: "demo-project",
        private_key_id: r(HEX, 40),
        private_key: pem("", gcpKey) + "\n",
        client_email: "svc@demo-project.iam.gserviceaccount.com",
      },
      null,
      2,
    ) + "\n",
  );
  add("src/github.ts", "github", "ghp" + "_" + r(ALNUM, 36));
  add("src/github_fine.ts", "github", "github" + "_pat_" + r(ALNUM, 22) + "_" + r(ALNUM, 59));
  add("src/github_oauth.rb", "github", "gho" + "_" + r(ALNUM, 36));
  add("src/gitlab.go", "gitlab", "glpat" + "-" + r(ALNUM, 20));
  add(
    "src/slack.js",
    "slack",
    "xoxb" + "-" + r(DIGITS, 12) + "-" + r(DIGITS, 13) + "-" + r(ALNUM, 24),
  );
  add(
    "src/slack_hook.py",
    "slack",
    "https://hooks.slack.com/services/T" + r(UPPER + DIGITS, 10) + "/B" + r(UPPER + DIGITS, 10) +
      "/" + r(ALNUM, 24),
  );
  add("src/stripe.ts", "stripe", "sk" + "_live_" + r(ALNUM, 32));
  add("src/stripe_restricted.ts", "stripe", "rk" + "_live_" + r(ALNUM, 32));
  add("src/openai.py", "openai", "sk-proj-" + r(ALNUM, 74) + "T3BlbkFJ" + r(ALNUM, 74));
  add("src/openai_legacy.py", "openai", "sk-" + r(ALNUM, 20) + "T3BlbkFJ" + r(ALNUM, 20));
  add("src/anthropic.ts", "anthropic", "sk-ant-" + "api03-" + r(ALNUM + "-_", 93) + "AA");
  const rsa = "MIIEpAIBAAKCAQEA" + r(B64, 800);
  add(
    "src/keys.ts",
    "privatekey",
    rsa.slice(0, 200),
    `// test key\nexport const KEY = \`${pem("RSA ", rsa)}\`;\nexport const after = 1;\n`,
  );
  const ssh = "b3BlbnNzaC1rZXktdjE" + r(B64, 500);
  add("deploy/id_key.txt", "privatekey", ssh.slice(0, 200), `${pem("OPENSSH ", ssh)}\n`);
  const jwt = (part: string) =>
    btoa(part).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  add(
    "src/session.ts",
    "jwt",
    jwt('{"alg":"HS256","typ":"JWT"}') + "." + jwt(`{"sub":"${r(DIGITS, 10)}","admin":true}`) +
      "." +
      r(ALNUM + "-_", 43),
  );
  const dbPassword = (n: number) => r(ALNUM, n);
  const pg = dbPassword(18);
  add(
    "src/db.ts",
    "database-connection-string",
    pg,
    ts("DB", `postgres://billing_svc:${pg}@db.internal.acme.io:5432/billing`),
  );
  const my = dbPassword(16);
  add(
    "src/mysql.php",
    "database-connection-string",
    my,
    `<?php\n$dsn = "mysql://reporting:${my}@mysql.acme.io/reports";\n`,
  );
  const mongo = dbPassword(20);
  add(
    "src/mongo.js",
    "database-connection-string",
    mongo,
    ts("MONGO", `mongodb+srv://app_rw:${mongo}@cluster0.acme.mongodb.net/app`),
  );
  add("src/npm.ts", "npm", "npm" + "_" + r(ALNUM, 36));
  add("src/sendgrid.ts", "sendgrid", "SG." + r(ALNUM, 22) + "." + r(ALNUM, 43));
  add("src/shopify.ts", "shopify", "shpat" + "_" + r(HEX, 32));
  add("src/huggingface.py", "huggingface", "hf" + "_" + r(UPPER + LOWER, 34));
  const basic = r(ALNUM, 14);
  add(
    "src/registry.sh",
    "basicauth",
    basic,
    `#!/bin/sh\ncurl https://deployer:${basic}@registry.acme-internal.io/v2/\n`,
  );
  return list;
}

/** Ten values that look like secrets but are not; they must reach the models unchanged. */
export function lookAlikes(): { path: string; content: string; values: string[] } {
  const r = generator(11);
  const values = [
    r(HEX, 40), // a git commit hash
    r(HEX, 64), // a sha256 digest
    `${r(HEX, 8)}-${r(HEX, 4)}-4${r(HEX, 3)}-a${r(HEX, 3)}-${r(HEX, 12)}`, // a UUID
    btoa("hello test data for the parser, nothing secret here"), // base64 test data
    "sha512-" + btoa(r(ALNUM, 48)), // an npm integrity hash
    r(HEX, 32), // an md5
    "postgres://localhost:5432/app_test", // a URL without credentials
    "data:image/png;base64," + btoa(r(ALNUM, 30)), // a data URL
    r(B64, 40), // a 40-character base64 string with no AWS name around it
    "sk-test-placeholder", // too short to be any real key
  ];
  const content = values.map((v, i) => `export const lookAlike${i} = "${v}";`).join("\n") + "\n";
  return { path: "src/not_secrets.ts", content, values };
}
