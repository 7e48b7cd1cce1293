/**
 * The inbox transcript shows the quick replies an agent message offered, in Chromium against the
 * real server on each engine; axe-core stays clean in light and dark.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { availableServices } from '../helpers/services.js';
import { auditPage } from './browser-harness.js';
import { useInboxFixture } from './inbox-fixture.js';

const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });

describe.runIf(availableServices().chromium).each(ENGINES)('quick replies in the inbox on %s', (engine) => {
  const inbox = useInboxFixture(engine, 'Pizzeria');

  it('lists them under the agent message that offered them', async () => {
    const { sessionId, headers } = await inbox.startVisitorSession({
      name: 'Pizzeria',
      backend: { type: 'scripted', rules: [{ match: 'keyword', pattern: 'menu', reply: 'Which pizza?', quickReplies: ['Margherita', 'Funghi'] }], fallback: 'Say menu.' },
    });
    const sent = await fetch(`${inbox.server.baseUrl}/v1/public/runtime/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'menu please', clientMessageId: 'c-1' }),
    });
    expect(sent.status).toBe(202);
    await poll(async () => (await inbox.api('GET', `/v1/conversations/${sessionId}/messages`)).body.data.data.length).toBe(2);

    const page = await inbox.openAsAgent(sessionId);
    const transcript = page.getByRole('list', { name: 'Transcript' });
    const offered = transcript.getByRole('listitem').filter({ hasText: 'Which pizza?' });
    await poll(() => offered.textContent()).toContain('Quick replies: Margherita · Funghi');
    const asked = transcript.getByRole('listitem').filter({ hasText: 'menu please' });
    expect(await asked.textContent()).not.toContain('Quick replies');
    expect(await auditPage(page, `${engine}-inbox-quick-replies`)).toEqual({});
  });
});
