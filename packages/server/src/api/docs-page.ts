type Doc = ReturnType<typeof import('./openapi.js').buildOpenApiDocument>;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function inlineCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

interface Operation {
  tags: string[];
  summary: string;
  description?: string;
  operationId: string;
  parameters?: { name: string; in: string; required: boolean; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { description: string }>;
}

/** A self-contained HTML reference rendered from the OpenAPI document (no scripts, no CDN). */
export function renderDocsPage(doc: Doc): string {
  const byTag = new Map<string, { method: string; path: string; op: Operation }[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods as Record<string, Operation>)) {
      const tag = op.tags[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), { method, path, op }]);
    }
  }
  const schemaName = (ref: string) => ref.split('/').pop()!;
  const sections = [...byTag].map(([tag, ops]) => {
    const items = ops.map(({ method, path, op }) => {
      const params = (op.parameters ?? [])
        .map((p) => `<li><code>${escapeHtml(p.name)}</code> <em>${p.in}${p.required ? ', required' : ''}</em> <code>${escapeHtml(JSON.stringify(p.schema))}</code></li>`)
        .join('');
      const body = op.requestBody?.content['application/json']?.schema.$ref;
      const responses = Object.entries(op.responses)
        .map(([code, r]) => `<li><b>${code}</b> ${inlineCode(r.description)}</li>`)
        .join('');
      return `<section class="op" id="${op.operationId}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${inlineCode(op.summary)}</p>${op.description ? `<p class="d">${inlineCode(op.description)}</p>` : ''}
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ''}
${body ? `<h4>Body</h4><p><a href="#schema-${schemaName(body)}">${schemaName(body)}</a></p>` : ''}
<h4>Responses</h4><ul>${responses}</ul></section>`;
    });
    return `<h2 id="${encodeURIComponent(tag)}">${escapeHtml(tag)}</h2>${items.join('\n')}`;
  });
  const schemas = Object.entries(doc.components.schemas)
    .map(([name, schema]) => `<h3 id="schema-${name}">${name}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`)
    .join('\n');
  const toc = [...byTag.keys()].map((tag) => `<li><a href="#${encodeURIComponent(tag)}">${escapeHtml(tag)}</a></li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(doc.info.title)} reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
code,pre{font:13px ui-monospace,monospace}pre{background:#f4f5f7;padding:.75rem;overflow:auto;border-radius:6px}
.op{border-top:1px solid #e3e6ea;padding-top:.5rem}.m{display:inline-block;min-width:4.5rem;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}
.get{background:#2f7d4f}.post{background:#2459a8}.patch{background:#a86b24}.delete{background:#a83224}.put{background:#6a3fa8}.d{color:#4a5160}h4{margin:.5rem 0 .25rem}</style></head>
<body><h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${inlineCode(doc.info.description)} Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>, <code>X-Api-Key</code> or <code>X-Wiil-Api-Key</code>. The machine-readable document is at <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>
<nav><ul>${toc}<li><a href="#schemas">Schemas</a></li></ul></nav>
${sections.join('\n')}
<h2 id="schemas">Schemas</h2>${schemas}
</body></html>`;
}
