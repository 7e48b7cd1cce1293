import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import {
  InboundAuthError,
  InboundFormatError,
  type ConnectionContext,
  type RawInbound,
} from '../../packages/server/src/channels/adapter.js';
import {
  DEFAULT_FALLBACK,
  escapeXml,
  gatherTwiml,
  hangupTwiml,
  isCallStart,
  parseVoiceRequest,
  twilioAdapter,
  voiceTurnEvent,
  waitTwiml,
} from '../../packages/server/src/channels/twilio/index.js';
import { signedTwilioWebhook } from '../fakes/twilio.js';
import { connectionContext, inboundUrl, rawInbound } from './support.js';

const AUTH_TOKEN = '9d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a';
const BASE = inboundUrl('twilio', 'conn_tw1');
const DECL = '<?xml version="1.0" encoding="UTF-8"?>';

const connection: ConnectionContext = connectionContext({
  id: 'conn_tw1',
  workspaceId: 'ws_1',
  provider: 'twilio',
  settings: { accountSid: `AC${'a'.repeat(32)}` },
  secrets: { authToken: AUTH_TOKEN },
  inboundSecret: 'unused',
  apiBaseUrl: 'https://api.twilio.com',
});

function voiceRaw(subpath: string, params: Record<string, string>, token = AUTH_TOKEN, url = `${BASE}${subpath}`): RawInbound {
  const webhook = signedTwilioWebhook(token, url, params);
  return rawInbound({ publicUrl: url, subpath, headers: webhook.headers, body: webhook.body });
}

const incomingCall = {
  Called: '+14155550100',
  ToState: 'CA',
  CallerCountry: 'US',
  Direction: 'inbound',
  CallerState: 'CA',
  ToZip: '94105',
  CallSid: 'CA5c2d8a1b9e7f6a5b4c3d2e1f0a9b8c7d',
  To: '+14155550100',
  CallerZip: '94105',
  ToCountry: 'US',
  CallToken: '%7B%22parentCallInfoToken%22%3A%22eyJ%22%7D',
  ApiVersion: '2010-04-01',
  CalledZip: '94105',
  CalledCity: 'SAN FRANCISCO',
  CallStatus: 'ringing',
  From: '+14155550199',
  AccountSid: `AC${'a'.repeat(32)}`,
  CalledCountry: 'US',
  CallerCity: 'SAN FRANCISCO',
  Caller: '+14155550199',
  FromCountry: 'US',
  ToCity: 'SAN FRANCISCO',
  FromCity: 'SAN FRANCISCO',
  CalledState: 'CA',
  FromZip: '94105',
  FromState: 'CA',
};

const gatherResult = {
  ...incomingCall,
  CallStatus: 'in-progress',
  SpeechResult: 'I would like to book a table for two.',
  Confidence: '0.9148',
  Language: 'en-US',
};

/** Resolves the five XML entities, to compare documents whatever their escaping style. */
const unescape = (xml: string) =>
  xml.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

describe('twilio voice: requests', () => {
  it('parses an incoming call, verifying its signature', () => {
    const request = parseVoiceRequest(voiceRaw('/voice', incomingCall), connection);
    expect(request).toEqual({
      callSid: 'CA5c2d8a1b9e7f6a5b4c3d2e1f0a9b8c7d',
      from: '+14155550199',
      to: '+14155550100',
      callStatus: 'ringing',
      direction: 'inbound',
      accountSid: `AC${'a'.repeat(32)}`,
    });
    expect(isCallStart(request)).toBe(true);
  });

  it('parses a Gather action with SpeechResult and Confidence, and one with Digits', () => {
    const speech = parseVoiceRequest(voiceRaw('/voice/gather?turn=1', gatherResult), connection);
    expect(speech).toMatchObject({ callStatus: 'in-progress', speechResult: 'I would like to book a table for two.', confidence: 0.9148 });
    expect(speech.digits).toBeUndefined();
    expect(isCallStart(speech)).toBe(false);
    const digits = parseVoiceRequest(voiceRaw('/voice/gather', { ...incomingCall, CallStatus: 'in-progress', Digits: '42#' }), connection);
    expect(digits).toMatchObject({ digits: '42#' });
    expect(digits.speechResult).toBeUndefined();
    const silence = parseVoiceRequest(voiceRaw('/voice/gather', { ...incomingCall, CallStatus: 'in-progress', SpeechResult: '' }), connection);
    expect(silence.speechResult).toBeUndefined();
    expect(voiceTurnEvent(silence, '3')).toBeUndefined();
    const nul = parseVoiceRequest(voiceRaw('/voice/gather', { ...gatherResult, SpeechResult: 'table\u0000for two' }), connection);
    expect(nul.speechResult).toBe('table\ufffdfor two');
  });

  it('verifies voice requests the same way as messaging (via adapter.verify too)', () => {
    const forged = voiceRaw('/voice', incomingCall, 'not-the-token');
    expect(() => parseVoiceRequest(forged, connection)).toThrow(InboundAuthError);
    expect(() => twilioAdapter.verify(forged, connection)).toThrow(/X-Twilio-Signature does not match/);
    const unsigned = voiceRaw('/voice', incomingCall);
    delete unsigned.headers['x-twilio-signature'];
    expect(() => parseVoiceRequest(unsigned, connection)).toThrow(/Missing X-Twilio-Signature/);
    const tampered = voiceRaw('/voice/gather', gatherResult);
    tampered.body = Buffer.from(tampered.body.toString().replace('two', 'ten'));
    expect(() => parseVoiceRequest(tampered, connection)).toThrow(InboundAuthError);
    // The default port rule applies to voice URLs as well.
    const withPort = voiceRaw('/voice', incomingCall, AUTH_TOKEN, `${BASE.replace('.com/', '.com:443/')}/voice`);
    withPort.publicUrl = `${BASE}/voice`;
    expect(() => parseVoiceRequest(withPort, connection)).not.toThrow();
    // Without a connection it only parses.
    expect(parseVoiceRequest(forged).callSid).toBe(incomingCall.CallSid);
  });

  it('rejects a non-voice request', () => {
    expect(() => parseVoiceRequest(voiceRaw('/voice', { MessageSid: 'SM1', Body: 'hi' }), connection)).toThrow(InboundFormatError);
  });

  it('makes a transcript event of a caller turn', () => {
    const request = parseVoiceRequest(voiceRaw('/voice/gather', gatherResult), connection);
    expect(voiceTurnEvent(request, '1')).toEqual({
      providerEventId: 'CA5c2d8a1b9e7f6a5b4c3d2e1f0a9b8c7d:1',
      channelIdentifier: '+14155550100',
      contact: { externalId: '+14155550199' },
      text: 'I would like to book a table for two.',
      replyContext: { channelType: 'calls', callSid: request.callSid, from: '+14155550199', to: '+14155550100', confidence: 0.9148 },
    });
  });
});

describe('twilio voice: TwiML', () => {
  const actionUrl = `${BASE}/voice/gather?turn=2`;

  it('gathers speech with the prompt inside, then a fallback and a redirect loop', () => {
    const twiml = gatherTwiml({ say: 'How can I help?', actionUrl });
    expect(twiml).toBe(
      `${DECL}<Response>` +
        `<Gather input="speech" action="${BASE}/voice/gather?turn=2" method="POST" speechTimeout="auto"><Say>How can I help?</Say></Gather>` +
        `<Say>${escapeXml(DEFAULT_FALLBACK)}</Say>` +
        `<Redirect method="POST">${BASE}/voice/gather?turn=2</Redirect>` +
        `</Response>`,
    );
    // Same document as the official helper builds (modulo escaping style).
    const official = new twilio.twiml.VoiceResponse();
    official.gather({ input: ['speech'], action: actionUrl, method: 'POST', speechTimeout: 'auto' }).say('How can I help?');
    official.say(DEFAULT_FALLBACK);
    official.redirect({ method: 'POST' }, actionUrl);
    expect(unescape(twiml)).toBe(unescape(official.toString()));
  });

  it('escapes agent text and URLs', () => {
    const twiml = gatherTwiml({
      say: `Tom & Jerry's <b>"deal"</b> </Say><Hangup/>`,
      actionUrl: `${BASE}/voice/gather?turn=3&lang=en`,
      fallback: `Say "yes" & <wait>`,
    });
    expect(twiml).toContain('<Say>Tom &amp; Jerry&apos;s &lt;b&gt;&quot;deal&quot;&lt;/b&gt; &lt;/Say&gt;&lt;Hangup/&gt;</Say>');
    expect(twiml).toContain(`action="${BASE}/voice/gather?turn=3&amp;lang=en"`);
    expect(twiml).toContain(`<Redirect method="POST">${BASE}/voice/gather?turn=3&amp;lang=en</Redirect>`);
    expect(twiml).toContain('<Say>Say &quot;yes&quot; &amp; &lt;wait&gt;</Say>');
    expect(twiml).not.toContain('<Hangup/>');
    expect(twiml.match(/<Say>/g)).toHaveLength(2);
    expect(escapeXml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&apos;');
    expect(escapeXml('bell\u0007 and \uD800 gone\u0000')).toBe('bell and  gone');
    expect(escapeXml('emoji 😀 stays\ttab\nline')).toBe('emoji 😀 stays\ttab\nline');
  });

  it('passes language and voice to Gather and Say', () => {
    const twiml = gatherTwiml({ say: 'Bonjour', actionUrl, language: 'fr-FR', voice: 'Polly.Lea', fallback: 'Pardon ?' });
    expect(twiml).toContain(`<Gather input="speech" action="${actionUrl}" method="POST" speechTimeout="auto" language="fr-FR">`);
    expect(twiml).toContain('<Say voice="Polly.Lea" language="fr-FR">Bonjour</Say>');
    expect(twiml).toContain('<Say voice="Polly.Lea" language="fr-FR">Pardon ?</Say>');
  });

  it('starts a call recording first when record is set, and only then', () => {
    const recorded = gatherTwiml({ say: 'This call is recorded. How can I help?', actionUrl, record: true });
    expect(recorded.startsWith(`${DECL}<Response><Start><Recording channels="dual"/></Start><Gather `)).toBe(true);
    const withCallback = gatherTwiml({ say: 'Hi', actionUrl, record: true, recordingStatusCallback: `${BASE}/voice/recording?a=1&b=2` });
    expect(withCallback).toContain(`<Start><Recording channels="dual" recordingStatusCallback="${BASE}/voice/recording?a=1&amp;b=2"/></Start>`);
    const official = new twilio.twiml.VoiceResponse();
    official.start().recording({ channels: 'dual' });
    expect(official.toString()).toContain('<Start><Recording channels="dual"/></Start>');
    expect(gatherTwiml({ say: 'Hi', actionUrl, record: false })).not.toContain('Recording');
    expect(gatherTwiml({ say: 'Hi', actionUrl })).not.toContain('<Start>');
  });

  it('omits an empty prompt instead of sending an empty Say', () => {
    expect(gatherTwiml({ say: '  ', actionUrl })).toContain('speechTimeout="auto"></Gather>');
  });

  it('says goodbye and hangs up', () => {
    expect(hangupTwiml('Goodbye & thanks!')).toBe(`${DECL}<Response><Say>Goodbye &amp; thanks!</Say><Hangup/></Response>`);
    expect(hangupTwiml('')).toBe(`${DECL}<Response><Hangup/></Response>`);
    expect(hangupTwiml('Au revoir', { voice: 'Polly.Lea', language: 'fr-FR' })).toContain('<Say voice="Polly.Lea" language="fr-FR">Au revoir</Say><Hangup/>');
  });

  it('keeps the caller waiting with a pause and a redirect', () => {
    expect(waitTwiml({ redirectUrl: `${BASE}/voice/wait?turn=2&n=1`, pauseSeconds: 2, say: 'One moment.' })).toBe(
      `${DECL}<Response><Say>One moment.</Say><Pause length="2"/><Redirect method="POST">${BASE}/voice/wait?turn=2&amp;n=1</Redirect></Response>`,
    );
  });
});
