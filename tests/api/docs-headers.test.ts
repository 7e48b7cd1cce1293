/**
 * /docs carries its Content-Security-Policy as a response header (where frame-ancestors counts)
 * as well as in its <meta> tag; the OpenAPI document and the page are built on first use and
 * then served the same each time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe.each(ENGINES)('/docs headers on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends the page policy as a Content-Security-Policy header, with frame-ancestors, and keeps the <meta> copy', async () => {
    const response = await t.app.server.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    const header = response.headers['content-security-policy'];
    expect(typeof header).toBe('string');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(response.body)?.[1];
    expect(meta).toBeDefined();
    expect(header).toBe(`${meta}; frame-ancestors 'none'`);
    expect(header).toMatch(/^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+';/);
  });

  it('serves the same document and page on every request, whichever is asked for first', async () => {
    const [page, doc] = await Promise.all([
      t.app.server.inject({ method: 'GET', url: '/docs' }),
      t.app.server.inject({ method: 'GET', url: '/v1/openapi.json' }),
    ]);
    const [pageAgain, docAgain] = await Promise.all([
      t.app.server.inject({ method: 'GET', url: '/docs' }),
      t.app.server.inject({ method: 'GET', url: '/v1/openapi.json' }),
    ]);
    expect(doc.statusCode).toBe(200);
    expect(docAgain.body).toBe(doc.body);
    expect(pageAgain.body).toBe(page.body);
    expect(JSON.parse(doc.body).openapi).toBe('3.1.0');
  });
});
