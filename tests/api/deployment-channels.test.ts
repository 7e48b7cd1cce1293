import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const webChannel = (identifier = 'https://example.com') => ({
  channelIdentifier: identifier,
  deploymentType: 'web',
  channelName: 'Website Chat',
  configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right', customTheme: { primaryColor: '#007bff' } } },
});

describe.each(ENGINES)('deployment channels API on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  async function createPhone(phoneNumber: string) {
    const response = await t.request('POST', '/v1/phone-configurations', { phoneNumber, provider: 'twilio', friendlyName: 'Main line' });
    expect(response.status).toBe(201);
    return response.body.data as { id: string };
  }

  /** POSTs a calls or sms channel on a phone configuration; the answer is returned unchecked. */
  function postPhoneChannel(channelIdentifier: string, deploymentType: string, phoneConfigurationId: string) {
    return t.request('POST', '/v1/deployment-channels', { channelIdentifier, deploymentType, configuration: { phoneConfigurationId } });
  }

  it('creates a web channel with defaults and the success envelope', async () => {
    const before = Date.now();
    const response = await t.request('POST', '/v1/deployment-channels', {
      channelIdentifier: 'https://defaults.example.com',
      deploymentType: 'WEB',
    });
    expect(response.status).toBe(201);
    expect(response.body.success).toBe(true);
    expect(response.body.metadata.version).toBe('v1');
    const channel = response.body.data;
    expect(channel.id).toMatch(/^chan_[A-Za-z0-9]{16}$/);
    expect(channel.deploymentType).toBe('web');
    expect(channel.recordingEnabled).toBe(true);
    expect(channel.channelName).toBeNull();
    expect(channel.configuration).toEqual({ communicationType: 'unified', widgetConfiguration: { position: 'right' } });
    expect(channel.createdAt).toBeGreaterThanOrEqual(before);
    expect(channel.updatedAt).toBe(channel.createdAt);
  });

  it('gets a channel by id and by url-encoded identifier', async () => {
    const created = (await t.request('POST', '/v1/deployment-channels', webChannel('https://find.example.com/support?x=1'))).body.data;
    const byId = await t.request('GET', `/v1/deployment-channels/${created.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body.data).toEqual(created);
    const encoded = encodeURIComponent('https://find.example.com/support?x=1');
    const byIdentifier = await t.request('GET', `/v1/deployment-channels/by-identifier/${encoded}?type=web`);
    expect(byIdentifier.status).toBe(200);
    expect(byIdentifier.body.data.id).toBe(created.id);
    const wrongType = await t.request('GET', `/v1/deployment-channels/by-identifier/${encoded}?type=sms`);
    expect(wrongType.status).toBe(404);
    expect(wrongType.body.message).toBe('Deployment channel not found');
  });

  it('finds a phone channel by its number written with separators, with and without the type', async () => {
    const phone = await createPhone('+12025550177');
    const created = await postPhoneChannel('+12025550177', 'sms', phone.id);
    expect(created.status).toBe(201);
    const spaced = encodeURIComponent('+1 202 555 0177');
    for (const query of ['', '?type=sms', '?type=SMS']) {
      const found = await t.request('GET', `/v1/deployment-channels/by-identifier/${spaced}${query}`);
      expect(found.status, query).toBe(200);
      expect(found.body.data.id).toBe(created.body.data.id);
    }
    // The same number under a type it has no channel of finds nothing.
    const asWeb = await t.request('GET', `/v1/deployment-channels/by-identifier/${spaced}?type=web`);
    expect(asWeb.status).toBe(404);
    expect(asWeb.body.message).toBe('Deployment channel not found');
  });

  it('rejects identifiers that do not fit the type, naming field and rule', async () => {
    const web = await t.request('POST', '/v1/deployment-channels', webChannel('example.com'));
    expect(web.status).toBe(400);
    expect(web.body.code).toBe('VALIDATION_ERROR');
    expect(web.body.message).toContain('Invalid website URL format');
    expect(web.body.error.details).toEqual([{ field: 'channelIdentifier', message: 'Invalid website URL format' }]);

    const phone = await createPhone('+12025550101');
    const dashed = await t.request('POST', '/v1/deployment-channels', {
      channelIdentifier: '202-555-0101',
      deploymentType: 'calls',
      configuration: { phoneConfigurationId: phone.id },
    });
    expect(dashed.status).toBe(400);
    expect(dashed.body.error.details[0].field).toBe('channelIdentifier');
    expect(dashed.body.error.details[0].message).toMatch(/E\.164/);

    const ftp = await t.request('POST', '/v1/deployment-channels', webChannel('ftp://example.com'));
    expect(ftp.status).toBe(400);

    const mobile = await t.request('POST', '/v1/deployment-channels', {
      channelIdentifier: 'not a package',
      deploymentType: 'mobile-app',
      configuration: { platform: 'ios' },
    });
    expect(mobile.status).toBe(400);
    expect(mobile.body.error.details[0]).toMatchObject({ field: 'channelIdentifier' });

    const platform = await t.request('POST', '/v1/deployment-channels', {
      channelIdentifier: 'com.example.app',
      deploymentType: 'mobile-app',
      configuration: { platform: 'windows' },
    });
    expect(platform.status).toBe(400);
    expect(platform.body.error.details).toEqual([{ field: 'configuration.platform', message: 'must be one of ios, android' }]);

    const type = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: 'x', deploymentType: 'fax' });
    expect(type.status).toBe(400);
    expect(type.body.error.details[0]).toEqual({ field: 'deploymentType', message: 'must be one of calls, sms, web, mobile-app, whatsapp, facebook, instagram, line, wechat, wecom, telegram, email, webhook, voice-gateway' });
  });

  it('creates mobile channels and accepts upper-case enum values', async () => {
    const response = await t.request('POST', '/v1/deployment-channels', {
      channelIdentifier: 'com.example.shop',
      deploymentType: 'MOBILE-APP',
      configuration: { packageName: 'com.example.shop', platform: 'ANDROID' },
    });
    expect(response.status).toBe(201);
    expect(response.body.data.deploymentType).toBe('mobile-app');
    expect(response.body.data.configuration).toEqual({ packageName: 'com.example.shop', platform: 'android' });
  });

  it('requires an existing phone configuration in the same workspace for calls and sms', async () => {
    const missing = await t.request('POST', '/v1/deployment-channels', {
      channelIdentifier: '+12025550102',
      deploymentType: 'calls',
      configuration: { phoneConfigurationId: 'phone_doesnotexist' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('Phone configuration not found');

    const other = await t.newWorkspace('Other');
    const foreignPhone = await t.request(
      'POST',
      '/v1/phone-configurations',
      { phoneNumber: '+12025550102', provider: 'twilio' },
      { authorization: `Bearer ${other.apiKey}` },
    );
    const foreign = await t.request('POST', '/v1/deployment-channels', {
      channelIdentifier: '+12025550102',
      deploymentType: 'calls',
      configuration: { phoneConfigurationId: foreignPhone.body.data.id },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.message).toBe('Phone configuration not found');
  });

  it('tracks voice and sms channels on the phone configuration', async () => {
    const phone = await createPhone('+12025550103');
    const calls = await postPhoneChannel('+12025550103', 'calls', phone.id);
    expect(calls.status).toBe(201);
    const sms = await postPhoneChannel('+12025550103', 'SMS', phone.id);
    expect(sms.status).toBe(201);
    const tracked = (await t.request('GET', `/v1/phone-configurations/${phone.id}`)).body.data;
    expect(tracked.voiceChannelId).toBe(calls.body.data.id);
    expect(tracked.smsChannelId).toBe(sms.body.data.id);

    const mismatched = await postPhoneChannel('+12025550199', 'calls', phone.id);
    expect(mismatched.status).toBe(400);
    expect(mismatched.body.error.details[0].field).toBe('channelIdentifier');
  });

  it('answers 409 for a duplicate identifier of the same type, and allows it in another workspace', async () => {
    const first = await t.request('POST', '/v1/deployment-channels', webChannel('https://dup.example.com'));
    expect(first.status).toBe(201);
    const before = await t.snapshot();
    const second = await t.request('POST', '/v1/deployment-channels', webChannel('https://dup.example.com'));
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('CONFLICT');
    expect(second.body.message).toBe('Channel identifier already in use');
    expect(second.body.meta.existingChannelId).toBe(first.body.data.id);
    expect(await t.snapshot()).toEqual(before);

    const other = await t.newWorkspace();
    const elsewhere = await t.request('POST', '/v1/deployment-channels', webChannel('https://dup.example.com'), {
      authorization: `Bearer ${other.apiKey}`,
    });
    expect(elsewhere.status).toBe(201);
  });

  it('lists each channel in the bytes its own read answers, whatever its strings and configuration hold', async () => {
    const fresh = await t.newWorkspace('Listed bytes');
    const authorization = `Bearer ${fresh.apiKey}`;
    const awkward = 'Quote " back\\ slash / tab\t line\u2028 bom\ufeff emoji \ud83d\ude00 é';
    const created = await t.request(
      'POST',
      '/v1/deployment-channels',
      { ...webChannel('https://bytes.example.com'), channelName: awkward, configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right', customTheme: { note: awkward, '10': 'ten', '2': 'two' } } } },
      { authorization },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await t.request('POST', '/v1/deployment-channels', webChannel('https://bytes-2.example.com'), { authorization });

    const list = await t.app.server.inject({ method: 'GET', url: '/v1/deployment-channels?pageSize=5', headers: { authorization } });
    expect(list.statusCode).toBe(200);
    expect(list.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = list.json();
    const channels = [];
    for (const { id } of body.data.data) {
      const read = await t.app.server.inject({ method: 'GET', url: `/v1/deployment-channels/${id}`, headers: { authorization } });
      channels.push(read.json().data);
    }
    expect(channels[0].channelName).toBe(awkward);
    const meta = { page: 1, pageSize: 5, totalCount: 2, totalPages: 1, hasNextPage: false, hasPreviousPage: false };
    expect(list.body).toBe(JSON.stringify({ success: true, data: { data: channels, meta }, metadata: body.metadata }));
  });

  it('lists with pagination meta and filters by type', async () => {
    const fresh = await t.newWorkspace('Listing');
    const auth = { authorization: `Bearer ${fresh.apiKey}` };
    for (let i = 0; i < 5; i++) {
      const r = await t.request('POST', '/v1/deployment-channels', webChannel(`https://list-${i}.example.com`), auth);
      expect(r.status).toBe(201);
    }
    await t.request('POST', '/v1/deployment-channels', { channelIdentifier: 'com.example.list', deploymentType: 'mobile-app', configuration: { platform: 'ios' } }, auth);

    const pageTwo = await t.request('GET', '/v1/deployment-channels?page=2&pageSize=2', undefined, auth);
    expect(pageTwo.status).toBe(200);
    expect(pageTwo.body.data.data.map((c: any) => c.channelIdentifier)).toEqual(['https://list-2.example.com', 'https://list-3.example.com']);
    expect(pageTwo.body.data.meta).toEqual({ page: 2, pageSize: 2, totalCount: 6, totalPages: 3, hasNextPage: true, hasPreviousPage: true });

    const defaults = await t.request('GET', '/v1/deployment-channels', undefined, auth);
    expect(defaults.body.data.meta).toMatchObject({ page: 1, pageSize: 20, totalCount: 6, hasNextPage: false, hasPreviousPage: false });

    const web = await t.request('GET', '/v1/deployment-channels/by-type/WEB?pageSize=10', undefined, auth);
    expect(web.body.data.meta.totalCount).toBe(5);
    expect(web.body.data.data.every((c: any) => c.deploymentType === 'web')).toBe(true);
    const mobile = await t.request('GET', '/v1/deployment-channels/by-type/mobile-app', undefined, auth);
    expect(mobile.body.data.data).toHaveLength(1);
    const bad = await t.request('GET', '/v1/deployment-channels/by-type/fax', undefined, auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('type');
  });

  it('searches names and identifiers in any case across every page, counting only the matches', async () => {
    const fresh = await t.newWorkspace('Searching');
    const auth = { authorization: `Bearer ${fresh.apiKey}` };
    const create = async (body: object) => expect((await t.request('POST', '/v1/deployment-channels', body, auth)).status).toBe(201);
    for (let i = 0; i < 25; i++) await create({ channelIdentifier: `https://filler-${i}.example.com`, deploymentType: 'web' });
    await create({ ...webChannel('https://shop.example.com'), channelName: 'Summer SALE chat' });
    await create({ channelIdentifier: 'https://deals.example.org', deploymentType: 'web', channelName: 'Deals' });
    await create({ channelIdentifier: 'https://percent.example.com', deploymentType: 'web', channelName: '100% off' });
    await create({ channelIdentifier: 'com.example.sale', deploymentType: 'mobile-app', configuration: { platform: 'ios' } });
    const names = async (url: string) => {
      const response = await t.request('GET', url, undefined, auth);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return { ids: response.body.data.data.map((c: any) => c.channelIdentifier), total: response.body.data.meta.totalCount };
    };
    // The matches sit past the first page of 20, by name in another case and by identifier.
    expect(await names('/v1/deployment-channels?search=sale')).toEqual({ ids: ['https://shop.example.com', 'com.example.sale'], total: 2 });
    expect(await names('/v1/deployment-channels/by-type/web?search=SALE')).toEqual({ ids: ['https://shop.example.com'], total: 1 });
    expect(await names('/v1/deployment-channels?search=example.org')).toEqual({ ids: ['https://deals.example.org'], total: 1 });
    // % and _ are characters to look for, not wildcards.
    expect(await names('/v1/deployment-channels?search=%25')).toEqual({ ids: ['https://percent.example.com'], total: 1 });
    expect(await names('/v1/deployment-channels?search=_')).toEqual({ ids: [], total: 0 });
    expect((await names('/v1/deployment-channels?search=filler&pageSize=10&page=3')).total).toBe(25);

    const empty = await t.request('GET', '/v1/deployment-channels?search=%20', undefined, auth);
    expect(empty.status).toBe(400);
    expect(empty.body.error.details).toEqual([{ field: 'search', message: 'must not be empty' }]);
    const unknown = await t.request('GET', '/v1/deployment-channels?q=sale', undefined, auth);
    expect(unknown.status).toBe(400);
  });

  it('updates through PATCH with the id in the body or in the path', async () => {
    const created = (await t.request('POST', '/v1/deployment-channels', webChannel('https://update.example.com'))).body.data;
    const viaBody = await t.request('PATCH', '/v1/deployment-channels', { id: created.id, channelName: 'Renamed', recordingEnabled: false });
    expect(viaBody.status).toBe(200);
    expect(viaBody.body.data).toMatchObject({ channelName: 'Renamed', recordingEnabled: false });
    expect(viaBody.body.data.updatedAt).toBeGreaterThanOrEqual(created.updatedAt);

    const viaPath = await t.request('PATCH', `/v1/deployment-channels/${created.id}`, {
      configuration: { widgetConfiguration: { position: 'left' } },
    });
    expect(viaPath.status).toBe(200);
    expect(viaPath.body.data.configuration).toEqual({
      communicationType: 'unified',
      widgetConfiguration: { position: 'left', customTheme: { primaryColor: '#007bff' } },
    });

    const badConfig = await t.request('PATCH', `/v1/deployment-channels/${created.id}`, { configuration: { communicationType: 'fax' } });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body.error.details[0].field).toBe('configuration.communicationType');

    const typeChange = await t.request('PATCH', `/v1/deployment-channels/${created.id}`, { deploymentType: 'sms' });
    expect(typeChange.status).toBe(400);
    expect(typeChange.body.error.details[0].field).toBe('deploymentType');

    const noId = await t.request('PATCH', '/v1/deployment-channels', { channelName: 'x' });
    expect(noId.status).toBe(400);
    expect(noId.body.error.details[0]).toEqual({ field: 'id', message: 'Required' });

    const mismatch = await t.request('PATCH', `/v1/deployment-channels/${created.id}`, { id: 'chan_other', channelName: 'x' });
    expect(mismatch.status).toBe(400);

    const missing = await t.request('PATCH', '/v1/deployment-channels', { id: 'chan_missing', channelName: 'x' });
    expect(missing.status).toBe(404);
  });

  it('deletes a channel answering data: true', async () => {
    const created = (await t.request('POST', '/v1/deployment-channels', webChannel('https://delete.example.com'))).body.data;
    const deleted = await t.request('DELETE', `/v1/deployment-channels/${created.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.success).toBe(true);
    expect(deleted.body.data).toBe(true);
    expect((await t.request('GET', `/v1/deployment-channels/${created.id}`)).status).toBe(404);
    expect((await t.request('DELETE', `/v1/deployment-channels/${created.id}`)).status).toBe(404);
  });

  it('deletes the phone configuration with the channel unless another channel still uses it', async () => {
    const phone = await createPhone('+12025550104');
    const make = async (type: string) =>
      (await t.request('POST', '/v1/deployment-channels', { channelIdentifier: '+12025550104', deploymentType: type, configuration: { phoneConfigurationId: phone.id } })).body.data;
    const calls = await make('calls');
    const sms = await make('sms');

    const first = await t.request('DELETE', `/v1/deployment-channels/${calls.id}?deletePhoneConfig=true`);
    expect(first.status).toBe(200);
    expect(first.body.data).toBe(true);
    expect(first.body.meta).toMatchObject({ phoneConfigurationDeleted: false, stillUsedBy: [sms.id] });
    const kept = (await t.request('GET', `/v1/phone-configurations/${phone.id}`)).body.data;
    expect(kept.voiceChannelId).toBeNull();
    expect(kept.smsChannelId).toBe(sms.id);

    const second = await t.request('DELETE', `/v1/deployment-channels/${sms.id}?deletePhoneConfig=true`);
    expect(second.body.meta).toMatchObject({ phoneConfigurationDeleted: true, phoneConfigurationId: phone.id });
    expect((await t.request('GET', `/v1/phone-configurations/${phone.id}`)).status).toBe(404);
  });

  it('keeps the phone configuration when deletePhoneConfig is not set', async () => {
    const phone = await createPhone('+12025550105');
    const calls = (await t.request('POST', '/v1/deployment-channels', { channelIdentifier: '+12025550105', deploymentType: 'calls', configuration: { phoneConfigurationId: phone.id } })).body.data;
    expect((await t.request('DELETE', `/v1/deployment-channels/${calls.id}`)).status).toBe(200);
    const kept = await t.request('GET', `/v1/phone-configurations/${phone.id}`);
    expect(kept.status).toBe(200);
    expect(kept.body.data.voiceChannelId).toBeNull();
  });

  it('never resolves an id from another workspace', async () => {
    const created = (await t.request('POST', '/v1/deployment-channels', webChannel('https://isolated.example.com'))).body.data;
    const other = await t.newWorkspace();
    const auth = { authorization: `Bearer ${other.apiKey}` };
    expect((await t.request('GET', `/v1/deployment-channels/${created.id}`, undefined, auth)).status).toBe(404);
    expect((await t.request('PATCH', `/v1/deployment-channels/${created.id}`, { channelName: 'hijack' }, auth)).status).toBe(404);
    expect((await t.request('DELETE', `/v1/deployment-channels/${created.id}`, undefined, auth)).status).toBe(404);
    const encoded = encodeURIComponent('https://isolated.example.com');
    expect((await t.request('GET', `/v1/deployment-channels/by-identifier/${encoded}`, undefined, auth)).status).toBe(404);
    expect((await t.request('GET', `/v1/deployment-channels/${created.id}`)).body.data.channelName).toBe('Website Chat');
  });
});
