/**
 * The page's own CSS and script. The script is inline and allowed by its SHA-256 in the
 * Content-Security-Policy, so nothing else can run (a model's Markdown is rendered as text
 * anyway); the page makes no network request of any kind.
 *
 * @module
 */

/** Styles: light and dark by `prefers-color-scheme`, a side panel on wide windows. */
export const PAGE_CSS = `
:root{--bg:#fff;--fg:#1f2328;--mut:#656d76;--line:#d0d7de;--panel:#f6f8fa;--hit:#fff8c5;
--cov:#1a7f37;--nocov:#cf222e;--skip:#8c959f;--link:#0969da;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--mut:#8d96a0;--line:#30363d;
--panel:#161b22;--hit:#3b2e00;--cov:#3fb950;--nocov:#f85149;--skip:#6e7681;--link:#4493f8}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);
font:15px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif}
header{padding:12px 20px;border-bottom:1px solid var(--line)}header h1{margin:0;font-size:18px}
nav a{margin-right:14px;color:var(--link)}main{display:flex;gap:0}
#content{flex:1;min-width:0;padding:8px 24px 48px;max-width:980px}
#panel{width:44%;max-width:720px;border-left:1px solid var(--line);background:var(--panel);
position:sticky;top:0;height:100vh;overflow:auto;padding:12px}
#panel[hidden]{display:none}#panel h3{margin:4px 0 8px;font-size:14px;word-break:break-all}
#panel button{float:right}
a{color:var(--link)}a.cite{font-family:ui-monospace,monospace}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px}
pre{background:var(--panel);padding:10px;overflow:auto;border-radius:6px;max-height:420px}
table.snippet{border-collapse:collapse;width:100%;font:13px/1.45 ui-monospace,monospace}
table.snippet td{padding:0 8px;white-space:pre;vertical-align:top}
td.ln{color:var(--mut);text-align:right;user-select:none;width:1%}
tr.hit td{background:var(--hit)}
table.sum{border-collapse:collapse}table.sum td{padding:2px 12px 2px 0;border-bottom:1px solid var(--line)}
ul.tree,ul.tree ul{list-style:none;padding-left:16px;margin:0}ul.tree{padding-left:0}
li.file::before{content:"● ";}li.cov::before{color:var(--cov)}li.nocov::before{color:var(--nocov)}
li.skip{color:var(--skip)}li.skip::before{color:var(--skip)}
.count{color:var(--mut);font-size:12px}
.bar{display:inline-block;width:40px;height:6px;margin-right:6px;border-radius:3px;
background:linear-gradient(90deg,var(--cov) var(--p),var(--line) var(--p))}
details.turn{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:4px 10px}
pre.err{border-left:3px solid var(--nocov)}
.hljs-keyword,.hljs-built_in,.hljs-type,.hljs-literal{color:#cf222e}
.hljs-string,.hljs-regexp{color:#0a3069}.hljs-comment{color:#6e7781;font-style:italic}
.hljs-number,.hljs-attr,.hljs-variable{color:#0550ae}.hljs-title,.hljs-function{color:#8250df}
@media (prefers-color-scheme:dark){.hljs-keyword,.hljs-built_in,.hljs-type,.hljs-literal{color:#ff7b72}
.hljs-string,.hljs-regexp{color:#a5d6ff}.hljs-comment{color:#8b949e}
.hljs-number,.hljs-attr,.hljs-variable{color:#79c0ff}.hljs-title,.hljs-function{color:#d2a8ff}}.legend span{margin-right:14px}
@media (max-width:800px){main{display:block}#content{padding:8px 12px;padding-bottom:58vh}
#panel{position:fixed;left:0;right:0;bottom:0;top:auto;width:auto;max-width:none;height:55vh;
border-left:0;border-top:1px solid var(--line);padding:10px 12px}}
`;

/** Opens a citation's snippet in the side panel; follows `#snip-N` in the address too. */
export const PAGE_SCRIPT = `
(function(){
var panel=document.getElementById("panel"),body=document.getElementById("panel-body"),
title=document.getElementById("panel-title");
function show(id){var t=document.getElementById(id);if(!t||t.tagName!=="TEMPLATE")return false;
body.textContent="";body.appendChild(t.content.cloneNode(true));
title.textContent=t.getAttribute("data-title");panel.hidden=false;
var hit=body.querySelector("tr.hit");if(hit)hit.scrollIntoView({block:"center"});return true;}
document.addEventListener("click",function(e){var a=e.target.closest&&e.target.closest("a.cite");
if(!a)return;var id=a.getAttribute("href").slice(1);if(show(id)){e.preventDefault();
history.replaceState(null,"","#"+id);}});
document.getElementById("panel-close").addEventListener("click",function(){panel.hidden=true;});
if(location.hash.indexOf("#snip-")===0)show(location.hash.slice(1));
})();
`;
