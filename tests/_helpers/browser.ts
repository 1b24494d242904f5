/**
 * Headless Chromium for real-browser tests, driven by puppeteer-core (never a browser download:
 * the Debian package `chromium-headless-shell` or `chromium`, which `.ci/run` installs when it
 * can). Without a browser the caller skips with the reason returned here.
 *
 * @module
 */
import puppeteer, { type Browser } from "npm:puppeteer-core@25.19.0";

const CANDIDATES = [
  "/usr/bin/chromium-headless-shell",
  "/usr/lib/chromium/chromium-headless-shell",
  "/usr/bin/chromium",
];

/** The browser binary to use (`DEEPREPO_CHROMIUM` first), or undefined. */
export function findChromium(): string | undefined {
  const given = Deno.env.get("DEEPREPO_CHROMIUM");
  for (const path of given ? [given] : CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not there */ }
  }
  return undefined;
}

/** Launches the browser with the network quiet flags this machine needs. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return await puppeteer.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-extensions",
    ],
  });
}
