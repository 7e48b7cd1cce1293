/**
 * Operator patterns run in linear time: a visitor's message cannot stall the process through a
 * pattern that backtracks (`^(a+)+$` against 'a'×26 + '!'), and patterns that need
 * backtracking (backreferences, lookaround) are refused when saved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileScriptedRule } from '@switchboard/core';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { openSse, type SseEvent } from '../helpers/sse.js';

const ORIGIN = 'http://localhost:5500';
const EVIL = '^(a+)+$';
const ATTACK = `${'a'.repeat(26)}!`;
const MAX_STALL_MS = 50;
/**
 * On a busy machine (tests run in parallel on two cores) the scheduler alone can hold the
 * process for a hundred milliseconds. Such a wait spends no CPU time, while a pattern that
 * backtracks spends it all, so a gap between two timer runs counts as a stall only as far as the
 * process was computing during it. The attack is sent a few times: the quietest run must stay
 * under MAX_STALL_MS and none may come near a backtracking stall (hundreds of milliseconds or
 * more for this input).
 */
const RUNS = 3;
const NOISE_CEILING_MS = 200;
const REASON = '(patterns run in linear time; backreferences and lookaround are not available)';

/**
 * Runs `work` while a 5 ms timer samples the event loop: the longest gap between two timer runs
 * beyond the interval, counting only the part the process spent computing (its CPU time over
 * the gap), in milliseconds. A loop held by a computation runs no timer and burns CPU meanwhile.
 */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  const interval = 5;
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let stallMs = 0;
  const sample = () => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const computingMs = (cpu.user + cpu.system) / 1000;
    stallMs = Math.max(stallMs, Math.min(now - last, computingMs) - interval);
    last = now;
    lastCpu = process.cpuUsage();
  };
  const probe = setInterval(sample, interval);
  try {
    const result = await work();
    await new Promise((resolve) => setTimeout(resolve, 3 * interval));
    sample();
    return { result, stallMs };
  } finally {
    clearInterval(probe);
  }
}

/** Sends the attack RUNS times through `say`, checking each answer; the stalls seen, in milliseconds. */
async function attackStalls(say: (text: string) => Promise<string>, expected: string): Promise<number[]> {
  const stalls: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const { result, stallMs } = await longestStall(() => say(ATTACK));
    expect(result).toBe(expected);
    stalls.push(stallMs);
  }
  return stalls;
}

function expectNoStall(stalls: number[]): void {
  expect(Math.min(...stalls), `stalls: ${stalls.join(', ')} ms`).toBeLessThan(MAX_STALL_MS);
  expect(Math.max(...stalls), `stalls: ${stalls.join(', ')} ms`).toBeLessThan(NOISE_CEILING_MS);
}

describe.each(ENGINES)('linear-time patterns on %s', (engine) => {
  let server: LiveServer;
  let key: string;
  let sites = 0;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  async function createAgent(body: Record<string, unknown>): Promise<string> {
    const created = await api('POST', '/v1/agents', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.data.id;
  }

  /** Deploys the agent on a web channel and opens a visitor session with its event stream. */
  async function visitor(agentId: string) {
    const deployed = await api('POST', `/v1/agents/${agentId}/deployments`, {
      allowedOrigins: [ORIGIN],
      channel: { channelIdentifier: `https://regex-${++sites}.example.com` },
    });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
    const token = deployed.body.data.token as string;
    const headers = { authorization: `Bearer ${token}`, origin: ORIGIN };
    const session = await fetch(`${server.baseUrl}/v1/public/runtime/sessions`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(session.status).toBe(201);
    const { sessionId, visitorToken } = ((await session.json()) as any).data;
    const stream = await openSse(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/events`, { ...headers, 'x-visitor-token': visitorToken });
    let sent = 0;
    return {
      channelId: deployed.body.data.deploymentChannelId as string,
      stream,
      /** Sends a message as the visitor and resolves with the agent's reply to it. */
      async say(text: string): Promise<string> {
        const clientMessageId = `m-${++sent}`;
        const isReply = (e: SseEvent) => e.event === 'message' && e.data.role === 'agent';
        const seen = stream.events.filter(isReply).length;
        const response = await fetch(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/messages`, {
          method: 'POST',
          headers: { ...headers, 'x-visitor-token': visitorToken, 'content-type': 'application/json' },
          body: JSON.stringify({ text, clientMessageId }),
        });
        expect(response.status).toBe(202);
        const reply = await stream.waitFor((e) => isReply(e) && stream.events.filter(isReply).indexOf(e) === seen, 20_000);
        return reply.data.text;
      },
    };
  }

  beforeAll(async () => {
    server = await startLiveServer(engine, { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    key = (await server.newWorkspace()).apiKey;
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a widget visitor without stalling on a scripted rule that would backtrack', async () => {
    const agentId = await createAgent({
      name: 'Backtracker',
      backend: { type: 'scripted', rules: [{ match: 'regex', pattern: EVIL, reply: 'all a' }], fallback: 'something else' },
    });
    const chat = await visitor(agentId);
    try {
      expect(await chat.say('warm up')).toBe('something else');
      expectNoStall(await attackStalls(chat.say, 'something else'));
      // The same pattern still matches what it should, in any case.
      expect(await chat.say('AAAA')).toBe('all a');
    } finally {
      chat.stream.close();
    }
  });

  it('routes a contact message without stalling on a workflow regex condition that would backtrack', async () => {
    const routed = await createAgent({ name: 'Routed', backend: { type: 'scripted', rules: [{ match: 'keyword', pattern: 'zzz', reply: 'never' }], fallback: 'routed' } });
    const answering = await createAgent({ name: 'Echo' });
    const workflow = await api('POST', '/v1/workflows', {
      name: 'Backtracking route',
      rules: [{ when: { regex: EVIL }, then: { agentId: routed } }],
      fallback: { agentId: answering },
    });
    expect(workflow.status, JSON.stringify(workflow.body)).toBe(201);
    const chat = await visitor(answering);
    try {
      const attached = await api('PUT', `/v1/deployment-channels/${chat.channelId}/workflow`, { workflowId: workflow.body.data.id });
      expect(attached.status, JSON.stringify(attached.body)).toBe(200);
      expect(await chat.say('warm up')).toBe('warm up');
      expectNoStall(await attackStalls(chat.say, ATTACK)); // no match: the fallback agent echoes
      expect(await chat.say('aaAA')).toBe('routed');
    } finally {
      chat.stream.close();
    }
  });

  it('refuses scripted rules that need backreferences or lookaround, naming the field and saying why', async () => {
    const cases: [string, string][] = [
      ['(?<=order )\\d+', 'lookbehind is not supported'],
      ['(?<!no )refund', 'lookbehind is not supported'],
      ['price(?= list)', 'lookahead is not supported'],
      ['^(?!spam)', 'lookahead is not supported'],
      ['(\\w+) \\1', 'backreferences are not supported'],
      ['(?<word>\\w+) \\k<word>', 'backreferences are not supported'],
    ];
    for (const [pattern, why] of cases) {
      const response = await api('POST', '/v1/agents', {
        name: 'Refused',
        backend: {
          type: 'scripted',
          rules: [
            { match: 'keyword', pattern: 'hi', reply: 'Hello' },
            { match: 'regex', pattern, reply: 'x' },
          ],
          fallback: 'y',
        },
      });
      expect(response.status, pattern).toBe(400);
      expect(response.body.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details).toEqual([{ field: 'backend.rules.1.pattern', message: `${why} ${REASON}` }]);
      expect(response.body.message).toContain(`backend.rules.1.pattern: ${why} ${REASON}`);
    }
    // The same on update.
    const agentId = await createAgent({ name: 'Updated later' });
    const update = await api('PATCH', `/v1/agents/${agentId}`, {
      backend: { type: 'scripted', rules: [{ match: 'regex', pattern: '(?<=a)b', reply: 'x', caseSensitive: true }], fallback: 'y' },
    });
    expect(update.status).toBe(400);
    expect(update.body.error.details).toEqual([{ field: 'backend.rules.0.pattern', message: `lookbehind is not supported ${REASON}` }]);
    expect(await server.db.selectFrom('agents').select('id').where('name', '=', 'Refused').execute()).toEqual([]);
  });

  it('refuses workflow regex conditions that need backreferences or lookaround', async () => {
    const fallback = { agentId: await createAgent({ name: 'Fallback' }) };
    const created = await api('POST', '/v1/workflows', {
      name: 'Refused',
      rules: [{ when: { regex: 'fine' }, then: fallback }, { when: { regex: '(?<!not )urgent' }, then: fallback }],
      fallback,
    });
    expect(created.status).toBe(400);
    expect(created.body.code).toBe('VALIDATION_ERROR');
    expect(created.body.error.details).toEqual([{ field: 'rules.1.when.regex', message: `lookbehind is not supported ${REASON}` }]);

    const workflow = await api('POST', '/v1/workflows', { name: 'Kept', rules: [], fallback });
    expect(workflow.status).toBe(201);
    const patched = await api('PATCH', `/v1/workflows/${workflow.body.data.id}`, { rules: [{ when: { regex: '(a)\\1' }, then: fallback }] });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details).toEqual([{ field: 'rules.0.when.regex', message: `backreferences are not supported ${REASON}` }]);
  });
});

describe('scripted rule matching on RE2', () => {
  const matches = (rule: { match: 'keyword' | 'regex'; pattern: string; caseSensitive?: boolean }, text: string) => compileScriptedRule(rule).test(text);

  it('keeps keywords whole-word and case-insensitive, and caseSensitive exact', () => {
    expect(matches({ match: 'keyword', pattern: 'hi' }, 'Hi there!')).toBe(true);
    expect(matches({ match: 'keyword', pattern: 'hi' }, 'this')).toBe(false);
    expect(matches({ match: 'keyword', pattern: 'hi' }, 'hi_there')).toBe(false);
    expect(matches({ match: 'keyword', pattern: 'café' }, 'Un CAFÉ ?')).toBe(true);
    expect(matches({ match: 'keyword', pattern: 'café' }, 'cafés')).toBe(false);
    expect(matches({ match: 'keyword', pattern: 'c++' }, 'Do you teach C++?')).toBe(true);
    expect(matches({ match: 'keyword', pattern: 'opening   hours' }, 'your opening\u00a0\thours?')).toBe(true);
    expect(matches({ match: 'keyword', pattern: 'Refund', caseSensitive: true }, 'refund please')).toBe(false);
    expect(matches({ match: 'keyword', pattern: 'Refund', caseSensitive: true }, 'Refund please')).toBe(true);
  });

  it('searches regexes anywhere, case-insensitively unless caseSensitive, accepting JavaScript escapes', () => {
    expect(matches({ match: 'regex', pattern: '^order\\s+#?\\d+$' }, 'ORDER #123')).toBe(true);
    expect(matches({ match: 'regex', pattern: '^order\\s+#?\\d+$', caseSensitive: true }, 'ORDER #123')).toBe(false);
    expect(matches({ match: 'regex', pattern: '\\d{4}-\\d{4}' }, 'card 1234-5678 please')).toBe(true);
    expect(matches({ match: 'regex', pattern: 'caf\\u00e9|\\u{1F600}' }, 'CAFÉ')).toBe(true);
    expect(matches({ match: 'regex', pattern: '\\uD83D\\uDE00' }, 'smile 😀')).toBe(true);
    expect(matches({ match: 'regex', pattern: '(?<order>\\d+)' }, 'n° 42')).toBe(true);
  });

  it('takes time linear in the text on a pattern that backtracking engines take exponential time on', () => {
    const evil = compileScriptedRule({ match: 'regex', pattern: EVIL });
    expect(evil.test('a'.repeat(1000))).toBe(true);
    expect(evil.test(ATTACK)).toBe(false);
    const started = performance.now();
    // A backtracking engine tries every split of the run of a's: 2^28 ways here, seconds of work.
    expect(evil.test(`${'a'.repeat(28)}!`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(MAX_STALL_MS);
  });

  it('refuses patterns whose counted repetitions make one match expensive', () => {
    expect(() => compileScriptedRule({ match: 'regex', pattern: '.{1000}.{1000}' })).toThrow(/too large.*at most 1000/);
    expect(() => compileScriptedRule({ match: 'regex', pattern: '(' })).toThrow(/^must be a valid regular expression \(missing closing \)/);
  });
});
