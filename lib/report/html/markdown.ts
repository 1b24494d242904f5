/**
 * Markdown to HTML for the report page, with markdown-it: raw HTML in the model's Markdown is
 * shown as text (never parsed), `javascript:`/`vbscript:`/`data:` links are refused by
 * markdown-it's link validation, and every citation becomes a link that opens its snippet.
 *
 * @module
 */
import MarkdownIt from "npm:markdown-it@15.0.3";

/** A citation's text as it stands in the checked report, and the snippet it opens. */
export interface CitationLink {
  text: string;
  snippetId: string;
}

/**
 * Renders the report's Markdown.
 *
 * @param markdown The checked report.
 * @param links Citation texts to link (the first occurrence of each text wins its snippet).
 * @returns HTML for the report body.
 */
export function renderMarkdown(markdown: string, links: CitationLink[]): string {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  const byText = new Map<string, string>();
  for (const l of links) if (!byText.has(l.text)) byText.set(l.text, l.snippetId);
  const pattern = byText.size
    ? new RegExp(
      [...byText.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|"),
      "g",
    )
    : undefined;
  const link = (escaped: string) =>
    pattern
      ? escaped.replace(pattern, (t) => `<a class="cite" href="#${byText.get(t)}">${t}</a>`)
      : escaped;
  md.renderer.rules.text = (tokens, i) => link(md.utils.escapeHtml(tokens[i].content));
  md.renderer.rules.code_inline = (tokens, i) =>
    `<code>${link(md.utils.escapeHtml(tokens[i].content))}</code>`;
  const defaultLinkOpen = md.renderer.rules.link_open ??
    ((tokens, i, options, _env, self) => self.renderToken(tokens, i, options));
  md.renderer.rules.link_open = (tokens, i, options, env, self) => {
    const token = tokens[i];
    const href = String(token.attrGet("href") ?? "");
    const target = byText.get(href) ?? byText.get(href.replace(/^\.\//, ""));
    if (target) {
      token.attrSet("href", `#${target}`);
      token.attrJoin("class", "cite");
    } else {
      token.attrSet("rel", "noopener noreferrer");
    }
    return defaultLinkOpen(tokens, i, options, env, self);
  };
  return md.render(markdown);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
