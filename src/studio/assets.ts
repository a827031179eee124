/**
 * The studio's static assets: our page script and stylesheet (plain browser JS/CSS, no build step;
 * `src/studio/assets/` from source, copied to `dist/studio-assets/` by the build) and the form
 * library's own dist bundle (`@json-editor/json-editor/dist/jsoneditor.js`, a dependency). Nothing
 * is fetched from a CDN.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeHtml } from '../provisioning/notify.js';

export type AssetName = 'studio.js' | 'studio.css' | 'jsoneditor.js';

const TYPES: Record<AssetName, string> = {
  'studio.js': 'text/javascript; charset=utf-8',
  'studio.css': 'text/css; charset=utf-8',
  'jsoneditor.js': 'text/javascript; charset=utf-8',
};

let dirCache: string | null = null;

/** Folder holding studio.js and studio.css: beside this module (source) or `studio-assets/` beside the bundle. */
export function studioAssetsDir(): string {
  if (dirCache) return dirCache;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'studio-assets'),
    join(here, 'assets'),
    join(here, '..', 'studio-assets'),
    join(here, '..', 'src', 'studio', 'assets'),
  ];
  const found = candidates.find((d) => existsSync(join(d, 'studio.js')));
  if (!found) throw new Error(`orgsync studio: assets not found (looked in ${candidates.join(', ')})`);
  return (dirCache = found);
}

/** Absolute path of the form library's browser bundle. */
export function jsonEditorBundlePath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('@json-editor/json-editor/dist/jsoneditor.js');
}

const cache = new Map<AssetName, Buffer>();

export async function readAsset(name: string): Promise<{ body: Buffer; type: string } | null> {
  if (!Object.prototype.hasOwnProperty.call(TYPES, name)) return null;
  const n = name as AssetName;
  let body = cache.get(n);
  if (!body) {
    body = await readFile(n === 'jsoneditor.js' ? jsonEditorBundlePath() : join(studioAssetsDir(), n));
    cache.set(n, body);
  }
  return { body, type: TYPES[n] };
}

/**
 * The page. Asset and API URLs are relative, so the page works wherever the handler is mounted;
 * the token (if any) rides on each asset URL and is read by the script from the page URL.
 */
export function studioPage(opts: { token: string | null; title: string }): string {
  const q = opts.token ? `?token=${encodeURIComponent(opts.token)}` : '';
  const t = escapeHtml(opts.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/studio.css${escapeHtml(q)}">
</head>
<body>
<a class="skip" href="#editor-panel">Skip to the rules editor</a>
<header class="top">
  <h1>${t}</h1>
  <p id="source" class="muted" aria-live="polite">Loading…</p>
  <div class="actions">
    <span id="save-status" role="status" aria-live="polite"></span>
    <button type="button" id="save" class="primary" disabled>Save rules</button>
  </div>
</header>
<main class="grid">
  <section id="org-panel" class="panel" aria-labelledby="org-title">
    <h2 id="org-title">Org chart</h2>
    <label for="org-search">Search people</label>
    <input id="org-search" type="search" autocomplete="off" placeholder="name, title, email, department">
    <div id="org-results" aria-live="polite"></div>
    <h3>Departments</h3>
    <ul id="dept-list" class="dept-list"></ul>
    <h3>Reporting lines</h3>
    <ul id="org-tree" class="tree" role="tree" aria-label="Reporting lines"></ul>
  </section>
  <section id="editor-panel" class="panel" aria-labelledby="editor-title" tabindex="-1">
    <h2 id="editor-title">Rules</h2>
    <div id="error-summary" class="error-summary" role="alert" hidden></div>
    <table id="rule-table" class="table rules-table">
      <caption>Who gets what: one row per rule (edit below; the name jumps to the rule)</caption>
      <thead><tr><th scope="col">Rule</th><th scope="col">When</th><th scope="col">Role</th><th scope="col">Groups</th><th scope="col">Licenses, permissions</th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="threshold-summary" class="muted"></p>
    <div id="editor"></div>
  </section>
  <section id="preview-panel" class="panel" aria-labelledby="preview-title">
    <h2 id="preview-title">Preview</h2>
    <p id="preview-status" role="status" aria-live="polite"></p>
    <h3>Safety and approval</h3>
    <div id="safety"></div>
    <h3>Per department</h3>
    <table id="dept-preview" class="table"><caption class="sr-only">Access per department</caption><thead><tr><th scope="col">Department</th><th scope="col">People</th><th scope="col">With account</th><th scope="col">Roles</th></tr></thead><tbody></tbody></table>
    <h3>Per person</h3>
    <label for="person-filter">Filter people</label>
    <input id="person-filter" type="search" autocomplete="off">
    <ul id="people-preview" class="people"></ul>
    <h3>Dry-run plan</h3>
    <div id="plan"></div>
  </section>
</main>
<script src="assets/jsoneditor.js${escapeHtml(q)}"></script>
<script src="assets/studio.js${escapeHtml(q)}"></script>
</body>
</html>
`;
}
