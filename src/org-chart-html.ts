/**
 * The org chart as one self-contained HTML page: nested cards with connecting lines, collapsible
 * (<details>), with a search box (name, title, department or id; Enter for the next match) and
 * expand/collapse-all buttons. The only script is the page's own, allowed by its SHA-256 hash in a
 * Content Security Policy that forbids every other script, so a name can never run code.
 * Built to stay usable at 54,000 people: the search indexes the cards once and reveals at most
 * SEARCH_REVEAL_LIMIT matches.
 */
import { createHash } from 'node:crypto';
import type { OrgChart, OrgChartNode } from './org-chart/build.js';
import { flaggedIds } from './org-chart/diagrams.js';
import { Sink, walk } from './org-chart/walk.js';

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface OrgChartHtmlOptions {
  /** Page title (default: `Org chart — <company name>`). */
  title?: string;
  /** Levels expanded when the page opens (default 3); deeper levels are collapsed (click to open). */
  openDepth?: number;
}

/** Matches highlighted and revealed (their managers' boxes opened) per search; the count shows all. */
export const SEARCH_REVEAL_LIMIT = 500;

const HTML_SCRIPT = `(function(){
var q=document.getElementById('q'),st=document.getElementById('qstatus'),cards=null,texts=null,hits=[],at=-1,timer=0;
function index(){if(cards)return;cards=document.querySelectorAll('.card');texts=new Array(cards.length);
for(var i=0;i<cards.length;i++)texts[i]=(cards[i].textContent+' '+cards[i].getAttribute('data-id')).toLowerCase();}
function clear(){for(var i=0;i<hits.length;i++)hits[i].classList.remove('hit','current');hits=[];at=-1;}
function reveal(el){var li=el.closest('li');for(var n=li&&li.parentElement;n;n=n.parentElement)if(n.tagName==='DETAILS')n.open=true;}
function go(i){if(!hits.length)return;if(at>=0)hits[at].classList.remove('current');at=(i+hits.length)%hits.length;
var el=hits[at];el.classList.add('current');reveal(el);el.scrollIntoView({block:'center'});
st.textContent=(at+1)+' of '+total+' match'+(total===1?'':'es')+(total>hits.length?' (first '+hits.length+' shown)':'');}
var total=0;
function search(){clear();var s=q.value.trim().toLowerCase();total=0;if(!s){st.textContent='';return;}index();
for(var i=0;i<texts.length;i++)if(texts[i].indexOf(s)!==-1){total++;if(hits.length<${SEARCH_REVEAL_LIMIT})hits.push(cards[i]);}
for(var j=0;j<hits.length;j++){hits[j].classList.add('hit');reveal(hits[j]);}
if(total)go(0);else st.textContent='No match';}
q.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(search,150);});
q.addEventListener('keydown',function(e){if(e.key==='Enter'){e.preventDefault();clearTimeout(timer);
if(!hits.length||q.value.trim().toLowerCase()!==q.dataset.last)search();else go(at+(e.shiftKey?-1:1));q.dataset.last=q.value.trim().toLowerCase();}});
function setAll(open){var d=document.querySelectorAll('main details');for(var i=0;i<d.length;i++)d[i].open=open||d[i].parentElement.parentElement.classList.contains('tree');}
document.getElementById('expand').addEventListener('click',function(){setAll(true);});
document.getElementById('collapse').addEventListener('click',function(){setAll(false);});
})();`;
const HTML_SCRIPT_HASH = createHash('sha256').update(HTML_SCRIPT, 'utf8').digest('base64');

const HTML_STYLE = `
:root{--line:#b8c2cc;--card:#fff;--ink:#1f2933;--muted:#616e7c;--warn:#b42318;--bg:#f5f7fa}
*{box-sizing:border-box}
body{margin:0;padding:24px;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}
.meta{color:var(--muted);margin:0 0 16px}
.diagnostics{border:1px solid #f3c7c3;background:#fff5f4;border-radius:8px;padding:12px 16px;margin:0 0 20px}
.diagnostics h2{font-size:15px;margin:0 0 8px;color:var(--warn)}
.diagnostics h3{font-size:13px;margin:8px 0 4px}
.diagnostics ul{margin:0;padding-left:20px}
.ok{color:#067647;margin:0 0 20px}
ul.tree,ul.tree ul{list-style:none;margin:0;padding:0}
ul.tree ul{margin-left:22px}
ul.tree li{position:relative;padding:6px 0 0 22px}
ul.tree li::before{content:"";position:absolute;left:0;top:0;bottom:0;border-left:1px solid var(--line)}
ul.tree li:last-child::before{bottom:auto;height:26px}
ul.tree li::after{content:"";position:absolute;left:0;top:26px;width:20px;border-top:1px solid var(--line)}
ul.tree>li{padding-left:0}
ul.tree>li::before,ul.tree>li::after{display:none}
details>summary{list-style:none;cursor:pointer}
details>summary::-webkit-details-marker{display:none}
.card{display:inline-block;vertical-align:top;min-width:220px;max-width:420px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px 10px;box-shadow:0 1px 2px rgba(0,0,0,.05)}
details>summary .card::after{content:" ▸";color:var(--muted)}
details[open]>summary .card::after{content:" ▾"}
.card.flag{border-color:var(--warn);box-shadow:0 0 0 1px var(--warn)}
.name{font-weight:600}
.title,.dept,.span{color:var(--muted);font-size:12px}
.badge{display:inline-block;font-size:11px;padding:0 6px;border-radius:10px;background:#eef2f6;color:var(--muted);margin-left:6px}
.toolbar{position:sticky;top:0;z-index:1;display:flex;gap:8px;align-items:center;flex-wrap:wrap;background:var(--bg);padding:8px 0 12px}
.toolbar input{font:inherit;padding:6px 10px;min-width:280px;border:1px solid var(--line);border-radius:6px}
.toolbar button{font:inherit;padding:6px 10px;border:1px solid var(--line);border-radius:6px;background:var(--card);cursor:pointer}
#qstatus{color:var(--muted)}
.card.hit{background:#fff8db;border-color:#e6b800}
.card.current{box-shadow:0 0 0 3px #e6b800}
`;

/**
 * A self-contained HTML page (inline CSS and script, no external resources; the Content Security
 * Policy allows only the page's own script, by hash) drawing the chart as nested boxes with
 * connecting lines, the diagnostics on top, a search box and expand/collapse-all buttons.
 * Every name, title and id is HTML-escaped.
 */
export function orgChartToHtml(chart: OrgChart, options: OrgChartHtmlOptions = {}): string {
  const openDepth = options.openDepth ?? 3;
  const title = options.title ?? `Org chart — ${chart.company.name}`;
  const e = escapeHtml;
  const nameOfId = (id: string) => {
    const n = chart.nodes.get(id);
    return n ? `${e(n.name)} <span class="badge">${e(id)}</span>` : `<span class="badge">${e(id)}</span>`;
  };
  const flagged = flaggedIds(chart);
  const d = chart.diagnostics;

  const out = new Sink();
  const head = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${HTML_SCRIPT_HASH}'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${e(chart.company.name)}</h1>`,
    `<p class="meta">${chart.nodes.size} ${chart.nodes.size === 1 ? 'person' : 'people'} · ${chart.roots.length} ${chart.roots.length === 1 ? 'root' : 'roots'} · snapshot ${e(chart.takenAt)} · ${e(chart.connector)}${chart.includeTerminated ? ' · including terminated employees' : ''}</p>`,
  ];
  for (const l of head) out.line(l);

  const problems =
    d.cycles.length +
    d.missingManagers.length +
    d.reportingToTerminated.length +
    d.selfManaged.length +
    d.duplicateIds.length;
  if (problems === 0) {
    out.line('<p class="ok" id="diagnostics">No reporting-line problems found.</p>');
  } else {
    out.line(
      `<section class="diagnostics" id="diagnostics"><h2>${problems} reporting-line ${problems === 1 ? 'problem' : 'problems'}</h2>`,
    );
    const section = (heading: string, items: string[]) => {
      if (items.length)
        out.line(`<h3>${e(heading)} (${items.length})</h3><ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`);
    };
    section(
      'Reporting cycles',
      d.cycles.map((c) => c.map(nameOfId).join(' → ') + ` → ${nameOfId(c[0]!)}`),
    );
    section(
      'Managers missing from the snapshot',
      d.missingManagers.map(
        (m) => `${nameOfId(m.employeeId)} reports to unknown id <span class="badge">${e(m.managerId)}</span>`,
      ),
    );
    section(
      'Reporting to a terminated manager',
      d.reportingToTerminated.map(
        (m) => `${nameOfId(m.employeeId)} reports to terminated <span class="badge">${e(m.managerId)}</span>`,
      ),
    );
    section('Their own manager', d.selfManaged.map(nameOfId));
    section(
      'Duplicate ids in the snapshot',
      d.duplicateIds.map((id) => `<span class="badge">${e(id)}</span>`),
    );
    out.line('</section>');
  }

  out.line(
    '<div class="toolbar" role="search"><input id="q" type="search" placeholder="Search name, title, department or id" aria-label="Search the org chart" autocomplete="off">' +
      '<span id="qstatus" aria-live="polite"></span><button id="expand" type="button">Expand all</button><button id="collapse" type="button">Collapse all</button></div>',
  );
  out.line('<main><ul class="tree">');
  const card = (n: OrgChartNode) => {
    const parts = [`<span class="name">${e(n.name)}</span>`];
    if (n.employmentStatus !== 'ACTIVE') parts.push(`<span class="badge">${e(n.employmentStatus)}</span>`);
    if (n.title) parts.push(`<div class="title">${e(n.title)}</div>`);
    if (n.department) parts.push(`<div class="dept">${e(n.department)}</div>`);
    if (n.span) parts.push(`<div class="span">${n.span} direct ${n.span === 1 ? 'report' : 'reports'}</div>`);
    return `<div class="card${flagged.has(n.id) ? ' flag' : ''}" data-id="${e(n.id)}">${parts.join('')}</div>`;
  };
  walk(
    chart,
    (n) => {
      if (n.span) out.line(`<li><details${n.depth < openDepth ? ' open' : ''}><summary>${card(n)}</summary><ul>`);
      else out.line(`<li>${card(n)}`);
    },
    (n) => {
      out.line(n.span ? '</ul></details></li>' : '</li>');
    },
  );
  out.line('</ul></main>');
  out.line(`<script>${HTML_SCRIPT}</script>`);
  out.line('</body>');
  out.line('</html>');
  return out.toString();
}
