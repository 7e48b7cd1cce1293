import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const base = '/v1/phone-configurations';

describe.each(ENGINES)('phone configurations API on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  async function createPhone(phoneNumber: string, extra: Record<string, unknown> = {}) {
    const response = await t.request('POST', base, { phoneNumber, provider: 'twilio', ...extra });
    expect(response.status).toBe(201);
    return response.body.data as { id: string; phoneNumber: string; friendlyName: string | null; updatedAt: number };
  }

  it('creates a phone configuration with the success envelope', async () => {
    const before = Date.now();
    const response = await t.request('POST', base, { phoneNumber: '+12025550201', provider: 'twilio', friendlyName: 'Main line' });
    expect(response.status).toBe(201);
    expect(response.body.success).toBe(true);
    expect(response.body.metadata.version).toBe('v1');
    const phone = response.body.data;
    expect(phone).toMatchObject({
      phoneNumber: '+12025550201',
      provider: 'twilio',
      friendlyName: 'Main line',
      voiceChannelId: null,
      smsChannelId: null,
    });
    expect(phone.id).toMatch(/^phone_[A-Za-z0-9]{16}$/);
    expect(phone.createdAt).toBeGreaterThanOrEqual(before);
    expect(phone.updatedAt).toBe(phone.createdAt);

    const unnamed = await t.request('POST', base, { phoneNumber: '+12025550202', provider: 'plivo' });
    expect(unnamed.status).toBe(201);
    expect(unnamed.body.data.friendlyName).toBeNull();
  });

  it('requires an E.164 number and names the field', async () => {
    const before = await t.snapshot();
    const dashed = await t.request('POST', base, { phoneNumber: '202-555-1234', provider: 'twilio' });
    expect(dashed.status).toBe(400);
    expect(dashed.body.code).toBe('VALIDATION_ERROR');
    expect(dashed.body.error.details).toHaveLength(1);
    expect(dashed.body.error.details[0].field).toBe('phoneNumber');
    expect(dashed.body.error.details[0].message).toMatch(/E\.164/);
    expect(dashed.body.message).toMatch(/^phoneNumber: /);

    for (const phoneNumber of ['12025551234', '1 202 555 1234', '(202) 555-1234', '+1 202 555 123', '+0123456789', '', '+1202555123456789']) {
      const response = await t.request('POST', base, { phoneNumber, provider: 'twilio' });
      expect(response.status, phoneNumber).toBe(400);
      expect(response.body.error.details[0].field).toBe('phoneNumber');
    }
    const missing = await t.request('POST', base, { provider: 'twilio' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ field: 'phoneNumber', message: 'Required' }]);
    expect(await t.snapshot()).toEqual(before);
  });

  it('accepts every provider, case-insensitively, and rejects unknown ones', async () => {
    const providers = ['twilio', 'signal-wire', 'telnyx', 'vonage', 'plivo'];
    for (const [i, provider] of providers.entries()) {
      const response = await t.request('POST', base, { phoneNumber: `+1202555031${i}`, provider: provider.toUpperCase() });
      expect(response.status, provider).toBe(201);
      expect(response.body.data.provider).toBe(provider);
    }
    const unknown = await t.request('POST', base, { phoneNumber: '+12025550319', provider: 'bandwidth' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([{ field: 'provider', message: 'must be one of twilio, signal-wire, telnyx, vonage, plivo' }]);
    const missing = await t.request('POST', base, { phoneNumber: '+12025550319' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ field: 'provider', message: 'Required' }]);
  });

  it('answers 409 for a number already configured in the workspace, and allows it in another', async () => {
    const first = await createPhone('+12025550203');
    const before = await t.snapshot();
    const second = await t.request('POST', base, { phoneNumber: '+12025550203', provider: 'telnyx' });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('CONFLICT');
    expect(second.body.message).toBe('Phone number already configured');
    expect(second.body.meta.phoneConfigurationId).toBe(first.id);
    expect(await t.snapshot()).toEqual(before);

    const other = await t.newWorkspace();
    const elsewhere = await t.request('POST', base, { phoneNumber: '+12025550203', provider: 'twilio' }, { authorization: `Bearer ${other.apiKey}` });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.data.id).not.toBe(first.id);
  });

  it('gets by id and by URL-encoded phone number', async () => {
    const created = await createPhone('+12025550204', { friendlyName: 'Lookup' });
    const byId = await t.request('GET', `${base}/${created.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body.data).toEqual(created);

    const byNumber = await t.request('GET', `${base}/by-phone-number/${encodeURIComponent('+12025550204')}`);
    expect(byNumber.status).toBe(200);
    expect(byNumber.body.data).toEqual(created);

    const unknownNumber = await t.request('GET', `${base}/by-phone-number/${encodeURIComponent('+12025550299')}`);
    expect(unknownNumber.status).toBe(404);
    expect(unknownNumber.body.code).toBe('NOT_FOUND');
    expect(unknownNumber.body.message).toBe('Phone configuration not found');

    const unknownId = await t.request('GET', `${base}/phone_doesnotexist`);
    expect(unknownId.status).toBe(404);
    expect(unknownId.body.message).toBe('Phone configuration not found');
  });

  it('lists with pagination meta', async () => {
    const fresh = await t.newWorkspace('Listing');
    const auth = { authorization: `Bearer ${fresh.apiKey}` };
    const numbers = ['+12025550211', '+12025550212', '+12025550213', '+12025550214', '+12025550215'];
    for (const phoneNumber of numbers) {
      expect((await t.request('POST', base, { phoneNumber, provider: 'vonage' }, auth)).status).toBe(201);
    }
    const pages = [];
    for (const page of [1, 2, 3]) {
      const response = await t.request('GET', `${base}?page=${page}&pageSize=2`, undefined, auth);
      expect(response.status).toBe(200);
      pages.push(response.body.data);
    }
    expect(pages[0].meta).toEqual({ page: 1, pageSize: 2, totalCount: 5, totalPages: 3, hasNextPage: true, hasPreviousPage: false });
    expect(pages[1].meta).toEqual({ page: 2, pageSize: 2, totalCount: 5, totalPages: 3, hasNextPage: true, hasPreviousPage: true });
    expect(pages[2].meta).toEqual({ page: 3, pageSize: 2, totalCount: 5, totalPages: 3, hasNextPage: false, hasPreviousPage: true });
    expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
    const listed = pages.flatMap((p) => p.data.map((phone: { phoneNumber: string }) => phone.phoneNumber));
    expect([...listed].sort()).toEqual(numbers);

    const all = await t.request('GET', base, undefined, auth);
    expect(all.body.data.meta).toMatchObject({ page: 1, pageSize: 20, totalCount: 5, totalPages: 1, hasNextPage: false, hasPreviousPage: false });

    const beyond = await t.request('GET', `${base}?page=9`, undefined, auth);
    expect(beyond.status).toBe(200);
    expect(beyond.body.data.data).toEqual([]);
    expect(beyond.body.data.meta).toMatchObject({ page: 9, totalCount: 5, hasNextPage: false, hasPreviousPage: true });
  });

  it('renames through PATCH and rejects a missing name or an unknown field', async () => {
    const created = await createPhone('+12025550205', { friendlyName: 'Before' });
    const renamed = await t.request('PATCH', `${base}/${created.id}`, { friendlyName: 'After' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ id: created.id, phoneNumber: '+12025550205', provider: 'twilio', friendlyName: 'After' });
    expect(renamed.body.data.updatedAt).toBeGreaterThanOrEqual(created.updatedAt);
    expect((await t.request('GET', `${base}/${created.id}`)).body.data.friendlyName).toBe('After');

    const withSameId = await t.request('PATCH', `${base}/${created.id}`, { id: created.id, friendlyName: 'Again' });
    expect(withSameId.status).toBe(200);
    expect(withSameId.body.data.friendlyName).toBe('Again');

    const missing = await t.request('PATCH', `${base}/${created.id}`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ field: 'friendlyName', message: 'Required' }]);

    const unknown = await t.request('PATCH', `${base}/${created.id}`, { friendlyName: 'X', phoneNumber: '+12025550206' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('Unknown field: phoneNumber');

    const empty = await t.request('PATCH', `${base}/${created.id}`, { friendlyName: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0].field).toBe('friendlyName');

    const mismatch = await t.request('PATCH', `${base}/${created.id}`, { id: 'phone_other', friendlyName: 'X' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.details[0].field).toBe('id');

    expect((await t.request('GET', `${base}/${created.id}`)).body.data.friendlyName).toBe('Again');
    const unknownId = await t.request('PATCH', `${base}/phone_doesnotexist`, { friendlyName: 'X' });
    expect(unknownId.status).toBe(404);
  });

  it('deletes answering data: true', async () => {
    const created = await createPhone('+12025550207');
    const deleted = await t.request('DELETE', `${base}/${created.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.success).toBe(true);
    expect(deleted.body.data).toBe(true);
    expect((await t.request('GET', `${base}/${created.id}`)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${created.id}`)).status).toBe(404);
    // The number is free again.
    expect((await t.request('POST', base, { phoneNumber: '+12025550207', provider: 'twilio' })).status).toBe(201);
  });

  it('refuses to delete a phone configuration a calls channel uses, naming the channel', async () => {
    const phone = await createPhone('+12025550208');
    const channel = await t.request('POST', '/v1/deployment-channels', {
      channelIdentifier: '+12025550208',
      deploymentType: 'calls',
      configuration: { phoneConfigurationId: phone.id },
    });
    expect(channel.status).toBe(201);
    const channelId = channel.body.data.id as string;

    const before = await t.snapshot();
    const refused = await t.request('DELETE', `${base}/${phone.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONFLICT');
    expect(refused.body.message).toContain(channelId);
    expect(refused.body.meta.channelIds).toEqual([channelId]);
    expect(await t.snapshot()).toEqual(before);
    expect((await t.request('GET', `${base}/${phone.id}`)).body.data.voiceChannelId).toBe(channelId);

    expect((await t.request('DELETE', `/v1/deployment-channels/${channelId}`)).status).toBe(200);
    const now = await t.request('DELETE', `${base}/${phone.id}`);
    expect(now.status).toBe(200);
    expect(now.body.data).toBe(true);
  });

  it('never resolves a phone configuration from another workspace', async () => {
    const created = await createPhone('+12025550209', { friendlyName: 'Mine' });
    const other = await t.newWorkspace();
    const auth = { authorization: `Bearer ${other.apiKey}` };
    const before = await t.snapshot();
    expect((await t.request('GET', `${base}/${created.id}`, undefined, auth)).status).toBe(404);
    expect((await t.request('GET', `${base}/by-phone-number/${encodeURIComponent('+12025550209')}`, undefined, auth)).status).toBe(404);
    expect((await t.request('PATCH', `${base}/${created.id}`, { friendlyName: 'hijack' }, auth)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${created.id}`, undefined, auth)).status).toBe(404);
    const list = await t.request('GET', base, undefined, auth);
    expect(list.body.data.data).toEqual([]);
    expect(list.body.data.meta.totalCount).toBe(0);
    expect(await t.snapshot()).toEqual(before);
    expect((await t.request('GET', `${base}/${created.id}`)).body.data.friendlyName).toBe('Mine');
  });
});
