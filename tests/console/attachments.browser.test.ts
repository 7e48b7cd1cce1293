/**
 * The inbox transcript lists the files a message carries, as links to their signed addresses,
 * in Chromium against the real server on each engine; axe-core stays clean.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { availableServices } from '../helpers/services.js';
import { auditPage } from './browser-harness.js';
import { useInboxFixture } from './inbox-fixture.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe.runIf(availableServices().chromium).each(ENGINES)('attachments in the inbox on %s', (engine) => {
  const inbox = useInboxFixture(engine, 'Files');

  it("lists a visitor's image under their message, linked to its signed address", async () => {
    const { sessionId, headers } = await inbox.startVisitorSession({ name: 'Files' });
    const sent = await fetch(`${inbox.server.baseUrl}/v1/public/runtime/sessions/${sessionId}/attachments?name=dent.png&clientMessageId=c-1`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'image/png' },
      body: PNG,
    });
    expect(sent.status).toBe(202);

    const page = await inbox.openAsAgent(sessionId);
    const files = page.getByRole('list', { name: 'Files' });
    const link = files.getByRole('link', { name: 'dent.png' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toMatch(/\/v1\/public\/attachments\/att_\w+\?expires=\d+&signature=/);
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await files.textContent()).toContain('(image/png, 70 bytes)');
    expect(await auditPage(page, `${engine}-inbox-attachments`)).toEqual({});
  });
});
