/**
 * Every request and response body of the OpenAPI document carries an example, and each example
 * is one its schema accepts: JSON bodies as a whole, event streams frame by frame against the
 * schema `x-sse-events` gives each event. Error examples carry the status they document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

type Json = any;

interface Body {
  where: string;
  status?: string;
  type: string;
  media: Json;
}

/** Every request and response body of the document, with where it is. */
function bodies(doc: Json): Body[] {
  const found: Body[] = [];
  for (const [path, methods] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(methods)) {
      const at = `${method.toUpperCase()} ${path}`;
      for (const [type, media] of Object.entries<Json>(op.requestBody?.content ?? {})) found.push({ where: `${at} request`, type, media });
      for (const [status, response] of Object.entries<Json>(op.responses)) {
        for (const [type, media] of Object.entries<Json>(response.content ?? {})) found.push({ where: `${at} ${status}`, status, type, media });
      }
    }
  }
  return found;
}

const isJson = (type: string) => type === 'application/json';
const isStream = (type: string) => type === 'text/event-stream';

/** Bodies described by a JSON schema (or an event stream) that give no example. */
function missingExamples(doc: Json): string[] {
  return bodies(doc)
    .filter(({ type, media }) => (isJson(type) || isStream(type)) && media.example === undefined)
    .map(({ where }) => where);
}

/** An SSE text as its frames: event name (default `message`) and parsed data. */
function frames(stream: string): { event: string; data: unknown }[] {
  return stream
    .split('\n\n')
    .filter((block) => block.trim() && !block.startsWith(':') && !block.startsWith('retry:'))
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
      return { event, data: JSON.parse(data) };
    });
}

describe('OpenAPI examples', () => {
  let t: TestApp;
  let doc: Json;
  let ajv: Ajv2020;
  const check = (schema: Json, value: unknown): string | null => {
    const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"switchboard#/components/')));
    return validate(value) ? null : ajv.errorsText(validate.errors);
  };

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    doc = (await t.app.server.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    // fastify's own JSON Schema validator (ajv 8), in its draft 2020-12 flavour.
    ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('date-time', (value: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)));
    ajv.addSchema({ $id: 'switchboard', components: doc.components }, 'switchboard');
  });
  afterAll(async () => {
    await t.close();
  });

  it('gives an example for every request and response body with a schema', () => {
    const all = bodies(doc);
    expect(all.filter(({ type }) => isJson(type)).length).toBeGreaterThan(600);
    expect(missingExamples(doc)).toEqual([]);
  });

  it('notices a body whose example is missing', () => {
    const broken = structuredClone(doc);
    delete broken.paths['/v1/agents'].post.requestBody.content['application/json'].example;
    delete broken.paths['/v1/agents/{id}'].get.responses['404'].content['application/json'].example;
    delete broken.paths['/channel-service/v1/channels/_count'].get.responses['200'].content['application/json'].example;
    expect(missingExamples(broken)).toEqual(['POST /v1/agents request', 'GET /v1/agents/{id} 404', 'GET /channel-service/v1/channels/_count 200']);
  });

  it('gives examples that their schemas accept', () => {
    const refused: string[] = [];
    for (const { where, type, media } of bodies(doc)) {
      if (!isJson(type)) continue;
      const problem = check(media.schema, media.example);
      if (problem) refused.push(`${where}: ${problem}`);
    }
    expect(refused).toEqual([]);
  });

  it('the check refuses an example that breaks its schema', () => {
    const media = doc.paths['/v1/agents'].post.responses['201'].content['application/json'];
    expect(check(media.schema, media.example)).toBeNull();
    expect(check(media.schema, { ...media.example, data: { ...media.example.data, name: 42 } })).toMatch(/name/);
    expect(check(media.schema, { ...media.example, data: { ...media.example.data, surprise: true } })).toMatch(/additional/);
    const session = doc.paths['/v1/public/runtime/sessions'].post.responses['201'].content['application/json'];
    expect(check(session.schema, { ...session.example, data: { ...session.example.data, visitorToken: undefined } })).toMatch(/visitorToken/);
  });

  it('gives error examples with the status, the code and a message of their answer', () => {
    const errors = bodies(doc).filter(({ status, type, media }) => isJson(type) && Number(status) >= 400 && media.schema.$ref === '#/components/schemas/Error');
    expect(errors.length).toBeGreaterThan(400);
    for (const { where, status, media } of errors) {
      expect(media.example.status, where).toBe(Number(status));
      expect(media.example.success, where).toBe(false);
      expect(media.example.error.code, where).toBe(media.example.code);
      expect(media.example.message.length, where).toBeGreaterThan(3);
    }
    const invalid = doc.paths['/v1/agents'].post.responses['400'].content['application/json'].example;
    expect(invalid.code).toBe('VALIDATION_ERROR');
    expect(invalid.error.details).toEqual([{ field: 'name', message: 'Required' }]);
    expect(doc.paths['/v1/agents/{id}'].get.responses['404'].content['application/json'].example.code).toBe('NOT_FOUND');
    expect(doc.paths['/v1/public/runtime/config'].get.responses['429'].content['application/json'].example.code).toBe('RATE_LIMITED');
  });

  it('describes each event of the event streams and gives a stream whose every frame fits its event', () => {
    const streams = bodies(doc).filter(({ type }) => isStream(type));
    expect(streams.map(({ where }) => where).sort()).toEqual(['GET /v1/events 200', 'GET /v1/public/runtime/sessions/{sessionId}/events 200']);
    for (const { where, media } of streams) {
      const declared = media['x-sse-events'];
      expect(Object.keys(declared ?? {}).length, where).toBeGreaterThan(3);
      const sent = frames(media.example);
      for (const { event, data } of sent) {
        expect(declared[event], `${where}: event ${event} is not described`).toBeDefined();
        expect(check(declared[event], data), `${where}: ${event}`).toBeNull();
      }
      expect(new Set(sent.map(({ event }) => event)), where).toEqual(new Set(Object.keys(declared)));
    }
    const widget = doc.paths['/v1/public/runtime/sessions/{sessionId}/events'].get.responses['200'].content['text/event-stream']['x-sse-events'];
    expect(check(widget.typing, { active: 'yes' })).not.toBeNull();
    expect(check(widget.message, { id: 'msg_1' })).not.toBeNull();
  });
});
