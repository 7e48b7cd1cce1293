import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { ServerResponse } from 'node:http';
import { createAgentRunner, DEFAULT_FALLBACK_TEXT, type AgentRunner, type AgentTurnInput } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { useAgentBackends } from './agent-backends.js';
import { sleep, startFakeServer, type ReceivedRequest } from './fake-server.js';

const API_KEY = 'sk-local-test-key-0123456789abcdef';
const HISTORY: AgentTurnInput['history'] = [
  { role: 'contact', text: 'Earlier question' },
  { role: 'agent', text: 'Earlier answer' },
];

/** Writes `text` in awkward pieces (1, 2, 3, 5, 8, 13… bytes, cycling) with a pause between writes. */
async function writeAwkwardly(res: ServerResponse, text: string, pauseMs = 3): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  const sizes = [1, 2, 3, 5, 8, 13, 21];
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    res.write(bytes.subarray(offset, offset + size));
    offset += size;
    await sleep(pauseMs);
  }
}

const sseEvent = (payload: unknown) => `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\r\n\r\n`;
const deltaEvent = (content: string) => sseEvent({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
const STREAM_START = ': keep-alive\r\n\r\n' + sseEvent({ choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] });
const STREAM_END = sseEvent({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) + 'data: [DONE]\r\n\r\n';

describe.each(ENGINES)('agent runner on %s', (engine) => {
  const backends = useAgentBackends(engine);
  let runner: AgentRunner;
  let sequence = 0;

  beforeEach(() => {
    runner = createAgentRunner({ db: backends.t.db, secretBox: backends.t.app.secretBox, logger: backends.logger });
    backends.fake.requests.length = 0;
  });

  async function createAgent(body: Record<string, unknown>) {
    const response = await backends.t.request('POST', '/v1/agents', { name: 'Runner test', ...body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data as { id: string; signingSecret?: string };
  }

  function turn(overrides: Partial<AgentTurnInput> = {}): AgentTurnInput {
    sequence += 1;
    return {
      workspaceId: backends.t.workspaceId,
      conversationId: 'conv_runnertest',
      channelType: 'web',
      contactId: 'ct_runnertest',
      messageId: `msg_runner${sequence}`,
      text: 'Hello there',
      history: HISTORY,
      ...overrides,
    };
  }

  async function ask(agentId: string, input: AgentTurnInput = turn(), r: AgentRunner = runner) {
    const deltas: string[] = [];
    const deltaTimes: number[] = [];
    const started = Date.now();
    const outcome = await r.respond(agentId, backends.t.workspaceId, input, (chunk) => {
      deltas.push(chunk);
      deltaTimes.push(Date.now());
    });
    return { outcome, deltas, deltaTimes, elapsed: Date.now() - started, input };
  }

  function expectLoggedFailure(agentId: string, cause: RegExp) {
    const errors = backends.logger.entries.filter((e) => e.level === 'error');
    expect(errors, JSON.stringify(backends.logger.entries)).toHaveLength(1);
    expect(errors[0]!.obj.agentId).toBe(agentId);
    expect(String(errors[0]!.obj.cause)).toMatch(cause);
    return errors[0]!.obj;
  }

  describe('echo', () => {
    it('replies with the text as is, in one delta', async () => {
      const agent = await createAgent({ backend: { type: 'echo' } });
      const { outcome, deltas } = await ask(agent.id, turn({ text: 'Ping ✓' }));
      expect(outcome).toEqual({ kind: 'reply', text: 'Ping ✓', fallback: false });
      expect(deltas).toEqual(['Ping ✓']);
      expect(backends.logger.entries).toEqual([]);
    });
  });

  describe('scripted', () => {
    let agentId: string;
    beforeAll(async () => {
      agentId = (
        await createAgent({
          backend: {
            type: 'scripted',
            rules: [
              { match: 'keyword', pattern: 'hi', reply: 'Hello!' },
              { match: 'keyword', pattern: 'price', reply: 'Plans start at $10.' },
              { match: 'regex', pattern: '^order\\s+#?\\d+$', reply: 'Looking up that order.' },
              { match: 'keyword', pattern: 'Refund', reply: 'Refunds take 5 days.', caseSensitive: true },
              { match: 'keyword', pattern: 'opening   hours', reply: 'Open 9 to 5.' },
            ],
            fallback: 'A human will follow up.',
          },
        })
      ).id;
    });
    const reply = async (text: string) => (await ask(agentId, turn({ text }))).outcome;

    it('answers with the first matching rule, in order', async () => {
      expect(await reply('Hi there!')).toEqual({ kind: 'reply', text: 'Hello!', fallback: false });
      expect(await reply("What's the PRICE?")).toMatchObject({ text: 'Plans start at $10.' });
      expect(await reply('hi, what is the price?')).toMatchObject({ text: 'Hello!' });
    });

    it('matches keywords as whole words, case-insensitively unless caseSensitive', async () => {
      expect(await reply('this is nothing')).toMatchObject({ text: 'A human will follow up.', fallback: false });
      expect(await reply('pricey')).toMatchObject({ text: 'A human will follow up.' });
      expect(await reply('refund please')).toMatchObject({ text: 'A human will follow up.' });
      expect(await reply('Refund please')).toMatchObject({ text: 'Refunds take 5 days.' });
      expect(await reply('your OPENING\nhours?')).toMatchObject({ text: 'Open 9 to 5.' });
    });

    it('matches regular expressions', async () => {
      expect(await reply('order #1234')).toMatchObject({ text: 'Looking up that order.' });
      expect(await reply('ORDER 77')).toMatchObject({ text: 'Looking up that order.' });
      expect(await reply('my order 77 is late')).toMatchObject({ text: 'A human will follow up.' });
      expect(backends.logger.entries).toEqual([]);
    });
  });

  describe('webhook', () => {
    let agentId: string;
    let secret: string;
    let slowAgentId: string;
    let deliveries: { payload: any; headers: Record<string, string> }[];

    /** Verifies the delivery with the standardwebhooks package, as an operator would; 401 when it does not verify. */
    function verified(req: ReceivedRequest, res: ServerResponse): boolean {
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      };
      try {
        deliveries.push({ payload: new Webhook(secret).verify(req.body, headers), headers });
        return true;
      } catch (error) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
        return false;
      }
    }

    beforeAll(async () => {
      const agent = await createAgent({ backend: { type: 'webhook', url: `${backends.fake.url}/hooks/agent`, timeoutMs: 2000 } });
      agentId = agent.id;
      secret = agent.signingSecret!;
      slowAgentId = (await createAgent({ backend: { type: 'webhook', url: `${backends.fake.url}/hooks/slow`, secret, timeoutMs: 1000 } })).id;
    });
    beforeEach(() => {
      deliveries = [];
    });

    it('POSTs the signed turn and takes the reply from the body', async () => {
      backends.fake.handler = (req, res) => {
        if (!verified(req, res)) return;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply: 'From the hook' }));
      };
      const { outcome, deltas, input } = await ask(agentId);
      expect(outcome).toEqual({ kind: 'reply', text: 'From the hook', fallback: false });
      expect(deltas).toEqual(['From the hook']);
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]!.payload).toEqual({
        type: 'conversation.message',
        agentId,
        conversationId: input.conversationId,
        contactId: input.contactId,
        channelType: 'web',
        message: { id: input.messageId, text: 'Hello there' },
        history: HISTORY,
      });
      expect(deliveries[0]!.headers['webhook-id']).toBe(input.messageId);
      expect(Math.abs(Number(deliveries[0]!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
      expect(deliveries[0]!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(backends.fake.requests[0]).toMatchObject({ method: 'POST', url: '/hooks/agent' });
      expect(backends.fake.requests[0]!.headers['content-type']).toBe('application/json');
      expect(backends.logger.entries).toEqual([]);
    });

    it('takes a reply holding the NUL character with U+FFFD in its place, as it can be stored', async () => {
      backends.fake.handler = (req, res) => {
        if (!verified(req, res)) return;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply: 'From\u0000the hook' }));
      };
      const { outcome, deltas } = await ask(agentId);
      expect(outcome).toEqual({ kind: 'reply', text: 'From\ufffdthe hook', fallback: false });
      expect(deltas).toEqual(['From\ufffdthe hook']);
    });

    it('signs with the agent’s own secret only: another secret does not verify', async () => {
      backends.fake.handler = (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"accepted as text"}');
      };
      const { outcome } = await ask(agentId);
      expect(outcome).toMatchObject({ text: 'accepted as text', fallback: false });
      const req = backends.fake.requests[0]!;
      const other = new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);
      const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(req.headers[h])]));
      expect(() => other.verify(req.body, headers)).toThrow();
      expect(() => new Webhook(secret).verify(req.body, headers)).not.toThrow();
    });

    it('treats 202 and 204 as a reply that will come later', async () => {
      for (const status of [202, 204]) {
        backends.fake.handler = (req, res) => {
          if (verified(req, res)) res.writeHead(status).end();
        };
        const { outcome, deltas } = await ask(agentId);
        expect(outcome, String(status)).toEqual({ kind: 'deferred' });
        expect(deltas).toEqual([]);
      }
      expect(backends.logger.entries).toEqual([]);
    });

    it('falls back politely on a 500, logging the agent and the cause', async () => {
      backends.fake.handler = (req, res) => {
        if (verified(req, res)) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"database exploded"},"dump":"internal state"}');
      };
      const { outcome, deltas } = await ask(agentId);
      expect(outcome).toEqual({ kind: 'reply', text: DEFAULT_FALLBACK_TEXT, fallback: true });
      expect(deltas).toEqual([]);
      const logged = expectLoggedFailure(agentId, /HTTP 500: database exploded$/);
      expect(logged).toMatchObject({ status: 500, backend: 'webhook', workspaceId: backends.t.workspaceId });
      expect(JSON.stringify(logged.cause)).not.toContain(secret.slice(6));
    });

    it('falls back on a body without a reply, a non-JSON body, and a redirect', async () => {
      const answers: [number, Record<string, string>, string, RegExp][] = [
        [200, { 'content-type': 'application/json' }, '{"message":"hi"}', /without a string "reply"/],
        [200, { 'content-type': 'text/html' }, '<h1>ok</h1>', /without a JSON body/],
        [200, { 'content-type': 'application/json' }, '{"reply":"   "}', /empty reply/],
        [302, { location: 'https://example.com/' }, '', /HTTP 302 \(redirects are not followed\)/],
      ];
      for (const [status, headers, body, cause] of answers) {
        backends.logger.entries.length = 0;
        backends.fake.handler = (_req, res) => void res.writeHead(status, headers).end(body);
        const { outcome } = await ask(agentId);
        expect(outcome, body).toMatchObject({ fallback: true, text: DEFAULT_FALLBACK_TEXT });
        expectLoggedFailure(agentId, cause);
      }
    });

    it('falls back within the timeout when the server is slow', async () => {
      backends.fake.handler = (_req, res) => new Promise<void>((resolve) => res.on('close', resolve)); // never answers
      const { outcome, elapsed } = await ask(slowAgentId);
      expect(outcome).toEqual({ kind: 'reply', text: DEFAULT_FALLBACK_TEXT, fallback: true });
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(2500);
      expectLoggedFailure(slowAgentId, /no complete reply within 1000 ms/);
    });

    it('falls back when nothing listens at the URL, with a configurable text', async () => {
      const closed = await startFakeServer();
      const url = closed.url;
      await closed.close();
      const agent = await createAgent({ backend: { type: 'webhook', url: `${url}/gone` } });
      const custom = createAgentRunner({ db: backends.t.db, secretBox: backends.t.app.secretBox, logger: backends.logger, fallbackText: 'One moment please.' });
      const { outcome, elapsed } = await ask(agent.id, turn(), custom);
      expect(outcome).toEqual({ kind: 'reply', text: 'One moment please.', fallback: true });
      expect(elapsed).toBeLessThan(2000);
      expectLoggedFailure(agent.id, /fetch failed|ECONNREFUSED/);
    });
  });

  describe('openai-compatible', () => {
    let agentId: string;
    let keylessId: string;
    let stallingId: string;

    beforeAll(async () => {
      agentId = (
        await createAgent({
          instructions: 'You are Switchboard’s test agent. Be brief.',
          backend: { type: 'openai-compatible', baseUrl: `${backends.fake.url}/v1/`, model: 'test-model', apiKey: API_KEY, temperature: 0.5, maxTokens: 100, timeoutMs: 5000 },
        })
      ).id;
      keylessId = (await createAgent({ backend: { type: 'openai-compatible', baseUrl: `${backends.fake.url}/v1`, model: 'local-model' } })).id;
      stallingId = (
        await createAgent({ backend: { type: 'openai-compatible', baseUrl: `${backends.fake.url}/v1`, model: 'slow', apiKey: API_KEY, timeoutMs: 1000 } })
      ).id;
    });

    /** A fake /v1/chat/completions that answers 401 unless the Bearer key is right. */
    function completions(answer: (req: ReceivedRequest, res: ServerResponse) => void | Promise<void>, expectedKey: string | null = API_KEY) {
      backends.fake.handler = async (req, res) => {
        if (req.url !== '/v1/chat/completions' || req.method !== 'POST') return void res.writeHead(404).end();
        const auth = req.headers.authorization;
        if (expectedKey ? auth !== `Bearer ${expectedKey}` : auth !== undefined) {
          return void res
            .writeHead(401, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }));
        }
        await answer(req, res);
      };
    }

    it('streams chunks split awkwardly across TCP writes: onDelta in order, the outcome their concatenation', async () => {
      const chunks = ['Hel', 'lo, wor', 'ld! 👋'];
      completions(async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
        await writeAwkwardly(res, STREAM_START + chunks.map(deltaEvent).join('') + STREAM_END);
        res.end();
      });
      const { outcome, deltas, deltaTimes } = await ask(agentId, turn({ text: 'Say hello' }));
      expect(outcome).toEqual({ kind: 'reply', text: 'Hello, world! 👋', fallback: false });
      expect(deltas).toEqual(chunks);
      expect(deltaTimes[2]! - deltaTimes[0]!).toBeGreaterThan(10); // they arrived as the stream went, not at the end
      expect(backends.logger.entries).toEqual([]);

      const request = backends.fake.requests[0]!;
      expect(request.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request.body)).toEqual({
        model: 'test-model',
        stream: true,
        messages: [
          { role: 'system', content: 'You are Switchboard’s test agent. Be brief.' },
          { role: 'user', content: 'Earlier question' },
          { role: 'assistant', content: 'Earlier answer' },
          { role: 'user', content: 'Say hello' },
        ],
        temperature: 0.5,
        max_tokens: 100,
      });
    });

    it('streams chunks holding the NUL character with U+FFFD in its place', async () => {
      completions(async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
        res.end(STREAM_START + ['a\u0000', 'b'].map(deltaEvent).join('') + STREAM_END);
      });
      const { outcome, deltas } = await ask(agentId, turn({ text: 'Say it' }));
      expect(outcome).toEqual({ kind: 'reply', text: 'a\ufffdb', fallback: false });
      expect(deltas).toEqual(['a\ufffd', 'b']);
    });

    it('sends no Authorization and no system prompt when there is neither key nor instructions', async () => {
      completions(async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(deltaEvent('Local ') + deltaEvent('answer') + STREAM_END.replace(/\r\n/g, '\n'));
      }, null);
      const { outcome, deltas } = await ask(keylessId, turn({ history: [] }));
      expect(outcome).toEqual({ kind: 'reply', text: 'Local answer', fallback: false });
      expect(deltas).toEqual(['Local ', 'answer']);
      const body = JSON.parse(backends.fake.requests[0]!.body);
      expect(body.messages).toEqual([{ role: 'user', content: 'Hello there' }]);
      expect(body).not.toHaveProperty('temperature');
      expect(body).not.toHaveProperty('max_tokens');
      expect(backends.fake.requests[0]!.headers.authorization).toBeUndefined();
    });

    it('accepts a non-streamed JSON answer', async () => {
      completions((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Plain answer' }, finish_reason: 'stop' }] }));
      });
      const { outcome, deltas } = await ask(agentId);
      expect(outcome).toEqual({ kind: 'reply', text: 'Plain answer', fallback: false });
      expect(deltas).toEqual(['Plain answer']);
    });

    it('falls back on 401, logging the status and what the server said', async () => {
      completions(() => undefined, 'sk-some-other-key');
      const { outcome } = await ask(agentId);
      expect(outcome).toEqual({ kind: 'reply', text: DEFAULT_FALLBACK_TEXT, fallback: true });
      const logged = expectLoggedFailure(agentId, /HTTP 401: .*Incorrect API key provided/);
      expect(logged.status).toBe(401);
      expect(JSON.stringify(backends.logger.entries.map((e) => ({ ...e.obj, err: String(e.obj.err) })))).not.toContain(API_KEY);
    });

    it('falls back by timeout when the stream stalls', async () => {
      completions(async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(STREAM_START + deltaEvent('I was about to say'));
        await new Promise((resolve) => res.on('close', resolve)); // …and then nothing
      });
      const { outcome, elapsed, deltas } = await ask(stallingId);
      expect(outcome).toEqual({ kind: 'reply', text: DEFAULT_FALLBACK_TEXT, fallback: true });
      expect(deltas).toEqual(['I was about to say']); // superseded by the fallback outcome
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(2500);
      expectLoggedFailure(stallingId, /no complete reply within 1000 ms/);
    });

    it('falls back when the stream is cut short, reports an error, or is malformed', async () => {
      const bodies: [string, RegExp][] = [
        [STREAM_START + deltaEvent('Half a'), /ended before \[DONE\]/],
        [STREAM_START + sseEvent({ error: { message: 'model overloaded' } }), /stream error: model overloaded/],
        [STREAM_START + 'data: {not json\r\n\r\n', /malformed stream event/],
        [STREAM_END, /streamed an empty reply/],
      ];
      for (const [body, cause] of bodies) {
        backends.logger.entries.length = 0;
        completions((_req, res) => void res.writeHead(200, { 'content-type': 'text/event-stream' }).end(body));
        const { outcome } = await ask(agentId);
        expect(outcome, body).toMatchObject({ fallback: true });
        expectLoggedFailure(agentId, cause);
      }
    });
  });

  describe('failures around the backend', () => {
    it('falls back for an unknown agent or one of another workspace', async () => {
      const other = await backends.t.newWorkspace('Runner other');
      const response = await backends.t.request('POST', '/v1/agents', { name: 'Theirs' }, { authorization: `Bearer ${other.apiKey}` });
      const theirs = response.body.data.id as string;
      for (const id of ['agent_doesnotexist', theirs]) {
        backends.logger.entries.length = 0;
        const { outcome } = await ask(id);
        expect(outcome).toEqual({ kind: 'reply', text: DEFAULT_FALLBACK_TEXT, fallback: true });
        expectLoggedFailure(id, /not found in workspace/);
      }
    });

    it('falls back when the stored secrets do not open under this master key', async () => {
      const agent = await createAgent({ backend: { type: 'openai-compatible', baseUrl: `${backends.fake.url}/v1`, model: 'm', apiKey: API_KEY } });
      const { SecretBox } = await import('@switchboard/server');
      const wrongKey = createAgentRunner({ db: backends.t.db, secretBox: SecretBox.random(), logger: backends.logger });
      const { outcome } = await ask(agent.id, turn(), wrongKey);
      expect(outcome).toMatchObject({ fallback: true });
      expectLoggedFailure(agent.id, /could not be opened/);
    });

    it('keeps answering when onDelta throws', async () => {
      const agent = await createAgent({ backend: { type: 'echo' } });
      const outcome = await runner.respond(agent.id, backends.t.workspaceId, turn({ text: 'still here' }), () => {
        throw new Error('listener broke');
      });
      expect(outcome).toEqual({ kind: 'reply', text: 'still here', fallback: false });
      expect(backends.logger.entries.map((e) => e.level)).toEqual(['warn']);
    });
  });
});
