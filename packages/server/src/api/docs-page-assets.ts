/**
 * The style and script of the /docs page. Both are inlined and allowed by their hashes in the
 * page's Content-Security-Policy, so the page needs nothing from any other address.
 */
export const DOCS_STYLE = `
:root{color-scheme:light;--bg:#fff;--fg:#1d2330;--muted:#4a5160;--line:#d5d9e0;--panel:#f4f5f7;--link:#1f5fbf;--focus:#1f5fbf;
--get:#1e6b40;--post:#1f4f99;--put:#5b2f99;--patch:#8a4f0c;--delete:#a12a1c;--options:#4a5160}
:root[data-theme=dark]{color-scheme:dark;--bg:#14171c;--fg:#e6e9ef;--muted:#b3bac6;--line:#343a45;--panel:#1d2129;--link:#8ab4ff;--focus:#8ab4ff;
--get:#1e6b40;--post:#2b5cab;--put:#6a3fab;--patch:#8a4f0c;--delete:#b0321f;--options:#4a5160}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){color-scheme:dark;--bg:#14171c;--fg:#e6e9ef;--muted:#b3bac6;--line:#343a45;--panel:#1d2129;--link:#8ab4ff;--focus:#8ab4ff;
--get:#1e6b40;--post:#2b5cab;--put:#6a3fab;--patch:#8a4f0c;--delete:#b0321f;--options:#4a5160}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:var(--panel);border:1px solid var(--line);padding:.6rem .75rem;overflow:auto;border-radius:6px;max-height:28rem}
header{display:flex;flex-wrap:wrap;gap:.75rem 1.5rem;align-items:center;padding:.75rem 1.25rem;border-bottom:1px solid var(--line);position:sticky;top:0;background:var(--bg);z-index:1}
header h1{font-size:1.25rem;margin:0}
header .search{flex:1 1 18rem;display:flex;gap:.5rem;align-items:center}
header input{flex:1;font:inherit;padding:.4rem .6rem;border:1px solid var(--muted);border-radius:6px;background:var(--bg);color:var(--fg)}
button{font:inherit;padding:.35rem .7rem;border:1px solid var(--muted);border-radius:6px;background:var(--panel);color:var(--fg);cursor:pointer}
.layout{display:grid;grid-template-columns:15rem 1fr;gap:1.5rem;max-width:80rem;margin:0 auto;padding:1rem 1.25rem}
nav ul{list-style:none;padding:0;margin:0;position:sticky;top:5rem}
nav li{margin:.15rem 0}
main{min-width:0}
.intro{color:var(--muted)}
h2{border-bottom:1px solid var(--line);padding-bottom:.25rem;margin-top:2rem}
.op{border:1px solid var(--line);border-radius:8px;margin:.5rem 0}
.op>details>summary{display:flex;gap:.6rem;align-items:baseline;padding:.5rem .75rem;cursor:pointer;flex-wrap:wrap}
.op>details[open]>summary{border-bottom:1px solid var(--line)}
.op .body{padding:.25rem .9rem .75rem}
.m{display:inline-block;min-width:4.6rem;text-align:center;border-radius:4px;color:#fff;font:600 12px/1.6 ui-monospace,monospace;padding:1px 6px}
.m.get{background:var(--get)}.m.post{background:var(--post)}.m.put{background:var(--put)}.m.patch{background:var(--patch)}.m.delete{background:var(--delete)}.m.options{background:var(--options)}
.sum{color:var(--muted)}
h3{font-size:1rem;margin:.9rem 0 .3rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;border-bottom:1px solid var(--line);padding:.3rem .4rem;vertical-align:top}
.resp{margin:.5rem 0}
.resp h4{margin:.4rem 0 .2rem;font-size:.95rem}
.none{color:var(--muted)}
@media (max-width:800px){.layout{grid-template-columns:1fr}nav ul{position:static}}
`;

export const DOCS_SCRIPT = `
(function () {
  var root = document.documentElement;
  var toggle = document.getElementById('theme');
  function dark() {
    var chosen = root.getAttribute('data-theme');
    return chosen ? chosen === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
  }
  function show() {
    toggle.setAttribute('aria-pressed', String(dark()));
  }
  try { var saved = localStorage.getItem('sb-docs-theme'); if (saved) root.setAttribute('data-theme', saved); } catch (e) {}
  show();
  toggle.addEventListener('click', function () {
    var next = dark() ? 'light' : 'dark';
    root.setAttribute('data-theme', next);
    try { localStorage.setItem('sb-docs-theme', next); } catch (e) {}
    show();
  });

  var input = document.getElementById('filter');
  var count = document.getElementById('count');
  var ops = Array.prototype.slice.call(document.querySelectorAll('.op'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('.tag'));
  var links = Array.prototype.slice.call(document.querySelectorAll('nav a[data-tag]'));
  function filter() {
    var terms = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    ops.forEach(function (op) {
      var text = op.getAttribute('data-search');
      var match = terms.every(function (term) { return text.indexOf(term) !== -1; });
      op.hidden = !match;
      if (match) shown++;
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector('.op:not([hidden])');
    });
    links.forEach(function (link) {
      var group = document.getElementById(link.getAttribute('data-tag'));
      link.parentNode.hidden = !!(group && group.hidden);
    });
    count.textContent = shown + ' of ' + ops.length + ' operations';
  }
  input.addEventListener('input', filter);
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') { input.value = ''; filter(); }
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === '/' && document.activeElement !== input) { event.preventDefault(); input.focus(); }
  });
  function openHash() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var details = target && target.querySelector('details');
    if (details) details.open = true;
  }
  window.addEventListener('hashchange', openHash);
  openHash();
  filter();
})();
`;
