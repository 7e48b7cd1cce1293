import type { FastifyInstance } from 'fastify';
import type { RouteDefinition } from '../http/route.js';

type OpenApiDocument = ReturnType<typeof import('./openapi.js').buildOpenApiDocument>;

/**
 * GET /v1/openapi.json and GET /docs. The document, its page and the modules that make them
 * (the JSON Schema conversion, every example) are loaded and built on the first request, not
 * at start-up: a server nobody reads them from spends neither the time nor the memory.
 */
export function registerDocsRoutes(server: FastifyInstance, routes: RouteDefinition[], info: { version: string; serverUrl?: string }): void {
  let document: Promise<OpenApiDocument> | undefined;
  let page: Promise<{ html: string; csp: string }> | undefined;
  const openApiDocument = () => (document ??= import('./openapi.js').then(({ buildOpenApiDocument }) => buildOpenApiDocument(routes, info)));
  const docsPage = () =>
    (page ??= Promise.all([openApiDocument(), import('./docs-page.js')]).then(([doc, { renderDocsPage, docsPageHeaderCsp }]) => ({
      html: renderDocsPage(doc),
      csp: docsPageHeaderCsp(),
    })));
  server.get('/v1/openapi.json', async () => openApiDocument());
  server.get('/docs', async (_request, reply) => {
    const { html, csp } = await docsPage();
    return reply.type('text/html; charset=utf-8').header('content-security-policy', csp).send(html);
  });
}
