import { createHash } from 'node:crypto';
import { DOCS_SCRIPT, DOCS_STYLE } from './docs-page-assets.js';

type Doc = ReturnType<typeof import('./openapi.js').buildOpenApiDocument>;
type Json = Record<string, any>;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const inlineCode = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const schemaName = (ref: string) => ref.split('/').pop()!;
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** The page allows its own inline style and script by hash, and nothing from elsewhere. */
export const docsPageCsp = (): string =>
  `default-src 'none'; script-src ${hash(DOCS_SCRIPT)}; style-src ${hash(DOCS_STYLE)}; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'`;

/**
 * The same policy as a response header, where browsers also honour frame-ancestors (a <meta>
 * policy cannot keep the page out of other sites' frames). The <meta> copy stays for a page
 * saved to disk and opened from there.
 */
export const docsPageHeaderCsp = (): string => `${docsPageCsp()}; frame-ancestors 'none'`;

function exampleBlock(label: string, media: Json): string {
  if (media.example === undefined) return '';
  const text = typeof media.example === 'string' ? media.example : JSON.stringify(media.example, null, 2);
  return `<p class="ex-label">${label}</p><pre tabindex="0" aria-label="${escapeHtml(label)}">${escapeHtml(text)}</pre>`;
}

function schemaLink(schema: Json | undefined): string {
  if (!schema) return '';
  const refs = [...new Set([...JSON.stringify(schema).matchAll(/"#\/components\/schemas\/([A-Za-z0-9_]+)"/g)].map((m) => m[1]!))].filter(
    (name) => !['ResponseMetadata', 'PaginationMeta'].includes(name),
  );
  return refs.length ? `Schema: ${refs.map((name) => `<a href="#schema-${name}">${name}</a>`).join(', ')}` : '';
}

function mediaBlocks(content: Record<string, Json> | undefined, what: string): string {
  return Object.entries(content ?? {})
    .map(([type, media]) => {
      const events = media['x-sse-events'] as Record<string, Json> | undefined;
      const eventList = events
        ? `<p>Events: ${Object.entries(events)
            .map(([name, schema]) => `<code>${escapeHtml(name)}</code>${schema.description ? ` (${inlineCode(schema.description)})` : ''}`)
            .join('; ')}</p>`
        : '';
      return `<p><code>${escapeHtml(type)}</code> ${schemaLink(media.schema)}</p>${eventList}${exampleBlock(`${what} example (${type})`, media)}`;
    })
    .join('');
}

function operationHtml(method: string, path: string, op: Json, tag: string): string {
  const parameters = (op.parameters ?? []) as Json[];
  const params = parameters.length
    ? `<h3>Parameters</h3><table><thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Schema</th></tr></thead><tbody>${parameters
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code>${p.required ? ' (required)' : ''}${p.description ? `<br>${inlineCode(p.description)}` : ''}</td><td>${escapeHtml(p.in)}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  const body = op.requestBody ? `<h3>Request body</h3>${op.requestBody.description ? `<p>${inlineCode(op.requestBody.description)}</p>` : ''}${mediaBlocks(op.requestBody.content, 'Request')}` : '';
  const responses = Object.entries(op.responses as Record<string, Json>)
    .map(([status, response]) => `<div class="resp"><h4>${escapeHtml(status)} <span class="sum">${inlineCode(response.description)}</span></h4>${mediaBlocks(response.content, `Response ${status}`)}</div>`)
    .join('');
  const security = (op.security as Json[]).length === 0 ? '<p class="none">No credentials needed.</p>' : '';
  const search = `${method} ${path} ${op.summary} ${tag} ${op.operationId}`.toLowerCase();
  return `<section class="op" id="${escapeHtml(op.operationId)}" data-search="${escapeHtml(search)}"><details>
<summary><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code> <span class="sum">${inlineCode(op.summary)}</span></summary>
<div class="body">${op.description ? `<p>${inlineCode(op.description)}</p>` : ''}${security}${params}${body}<h3>Responses</h3>${responses}</div></details></section>`;
}

/** A self-contained, searchable HTML reference rendered from the OpenAPI document, with every example. */
export function renderDocsPage(doc: Doc): string {
  const byTag = new Map<string, string[]>();
  let total = 0;
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods as Record<string, Json>)) {
      const tag = (op.tags as string[])[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op, tag)]);
      total++;
    }
  }
  const sections = [...byTag].map(([tag, ops]) => `<div class="tag" id="tag-${slug(tag)}"><h2>${escapeHtml(tag)}</h2>${ops.join('\n')}</div>`);
  const toc = [...byTag.keys()].map((tag) => `<li><a href="#tag-${slug(tag)}" data-tag="tag-${slug(tag)}">${escapeHtml(tag)}</a></li>`).join('');
  const schemas = Object.entries(doc.components.schemas as Record<string, Json>)
    .map(([name, schema]) => `<section id="schema-${name}"><details><summary><code>${name}</code></summary><pre tabindex="0" aria-label="Schema ${name}">${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details></section>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${docsPageCsp()}">
<title>${escapeHtml(doc.info.title)} reference</title>
<style>${DOCS_STYLE}</style></head>
<body><header><h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<div class="search" role="search"><label for="filter">Filter</label><input id="filter" type="search" placeholder="Path, summary or tag (press /)" autocomplete="off">
<span id="count" role="status" aria-live="polite">${total} operations</span></div>
<button id="theme" type="button" aria-pressed="false">Dark theme</button></header>
<div class="layout"><nav aria-label="Tags"><ul>${toc}<li><a href="#schemas">Schemas</a></li></ul></nav>
<main><p class="intro">${inlineCode(doc.info.description)} Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>, <code>X-Api-Key</code> or <code>X-Wiil-Api-Key</code>. The machine-readable document is at <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>
${sections.join('\n')}
<h2 id="schemas">Schemas</h2>${schemas}
</main></div>
<script>${DOCS_SCRIPT}</script>
</body></html>`;
}
