/**
 * Making endpoints visible: a provider whose base URL is not its default is named once on stderr
 * with where that URL came from, and recorded in the metrics. An endpoint set by a `.env` file is
 * always named (even with `-q`); one from the real environment is named unless `-q`.
 *
 * @module
 */
import type { CliContext } from "./context.ts";
import { type Endpoint, endpointOf } from "../config/settings.ts";
import { REAL_ENVIRONMENT } from "../config/env.ts";
import { redactUrl } from "../redact.ts";
import { printable } from "./folder_notices.ts";

/** Providers already announced per context, so compare names each endpoint once. */
const announced = new WeakMap<CliContext, Set<string>>();

/**
 * `anthropic endpoint http://127.0.0.1:9 (ANTHROPIC_BASE_URL, environment)`, or the `.env` path
 * in place of `environment`. Short, so it fits an 80–100 column terminal with a loopback URL.
 */
export function endpointLine(endpoint: Endpoint): string {
  const where = endpoint.source === REAL_ENVIRONMENT || endpoint.source === undefined
    ? "environment"
    : endpoint.source;
  return `${endpoint.provider} endpoint ${printable(redactUrl(endpoint.url ?? ""))} ` +
    `(${endpoint.variable}, ${printable(where)})`;
}

/**
 * Names each non-default endpoint of `providers` once per run on stderr.
 *
 * @param ctx Where the lines go and the variables.
 * @param providers Plugin names of the models the command will call.
 * @param quiet With `-q`, endpoints from the real environment are not named.
 */
export function announceEndpoints(ctx: CliContext, providers: string[], quiet: boolean): void {
  let seen = announced.get(ctx);
  if (!seen) announced.set(ctx, seen = new Set());
  for (const provider of providers) {
    if (seen.has(provider)) continue;
    seen.add(provider);
    const endpoint = endpointOf(provider, ctx.env);
    if (endpoint.url === undefined) continue;
    if (quiet && endpoint.source === REAL_ENVIRONMENT) continue;
    ctx.stderr(`deeprepo: ${endpointLine(endpoint)}\n`);
  }
}

/** One endpoint as the metrics and `list-models --json` record it. */
export interface EndpointJson {
  /** The base URL (credentials redacted), or null for the provider's default. */
  url: string | null;
  variable: string;
  /** `default`, `environment`, or the path of the `.env` file that set it. */
  source: string;
}

/** The endpoint of a provider for JSON output. */
export function endpointJson(provider: string, ctx: Pick<CliContext, "env">): EndpointJson {
  const e = endpointOf(provider, ctx.env);
  return {
    url: e.url === undefined ? null : redactUrl(e.url),
    variable: e.variable,
    source: e.url === undefined
      ? "default"
      : e.source === REAL_ENVIRONMENT
      ? "environment"
      : e.source ?? "environment",
  };
}

/** The `endpoints` object of a metrics file: one entry per provider called. */
export function endpointsJson(
  providers: string[],
  ctx: Pick<CliContext, "env">,
): Record<string, EndpointJson> {
  return Object.fromEntries(providers.map((p) => [p, endpointJson(p, ctx)]));
}
