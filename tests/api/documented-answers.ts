/**
 * What the tests that hold real answers against the OpenAPI document share: a test app on one
 * engine, its own /v1/openapi.json, and `answered`, which sends a request and checks the answer
 * against the schema the document gives for that operation and status. Call inside a describe:
 * it registers the suite's beforeAll and afterAll.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Engine } from '@switchboard/server';
import { createTestApp, type TestApp, type TestResponse } from '../helpers/app.js';

type Answer = TestResponse<any>;

export interface DocumentedAnswers {
  readonly t: TestApp;
  /** Each `METHOD path status` checked so far. */
  readonly checked: string[];
  /** Sends the request and checks the answer against the documented schema of `path` (a template) and the answered status. */
  answered(method: string, path: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

export function useDocumentedAnswers(engine: Engine): DocumentedAnswers {
  let t: TestApp;
  let doc: any;
  let ajv: Ajv2020;
  const checked: string[] = [];

  beforeAll(async () => {
    t = await createTestApp(engine);
    doc = (await t.app.server.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)) && /T/.test(value));
    ajv.addSchema({ $id: 'switchboard', components: doc.components }, 'switchboard');
  });
  afterAll(async () => {
    await t.close();
  });

  return {
    get t() {
      return t;
    },
    checked,
    async answered(method, path, url, body, headers) {
      const response = await t.request(method, url, body, headers);
      const documented = doc.paths[path]?.[method.toLowerCase()]?.responses?.[String(response.status)];
      expect(documented, `${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`).toBeDefined();
      const schema = JSON.parse(JSON.stringify(documented.content['application/json'].schema).replaceAll('"#/components/', '"switchboard#/components/'));
      const validate = ajv.compile(schema);
      expect(validate(response.body), `${method} ${path} ${response.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(response.body)}`).toBe(true);
      checked.push(`${method} ${path} ${response.status}`);
      return response;
    },
  };
}
