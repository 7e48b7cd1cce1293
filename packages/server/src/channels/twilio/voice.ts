/**
 * Twilio Programmable Voice, answered synchronously.
 *
 * A call cannot be acknowledged now and answered later: Twilio waits (15 s at most) for the TwiML that says
 * what to do next. The pipeline therefore calls these pure functions inside the request:
 *
 *   1. `A call comes in` webhook (`{inboundUrl}/voice`, CallStatus `ringing`): verify, then answer with
 *      `gatherTwiml({ say: greeting, actionUrl, record: channel.recordingEnabled })`.
 *   2. The `<Gather>` action (`actionUrl`, CallStatus `in-progress`) brings `SpeechResult`/`Confidence` (or
 *      `Digits`): `parseVoiceRequest`, ask the agent, answer with the next `gatherTwiml` (without `record`),
 *      or `hangupTwiml(goodbye)` to end the call.
 *   3. If the caller says nothing, `<Gather>` falls through to the fallback `<Say>` and the `<Redirect>`, which
 *      requests the redirect URL (default: the action URL) again with no SpeechResult: answer with the same
 *      prompt. Put a counter in the redirect URL's query (it is signed) to give up after a few silences.
 *
 * Recording: `record` adds `<Start><Recording channels="dual"/></Start>` before everything else. That TwiML
 * noun starts a background recording of the whole call (both parties, one channel each) and lets the
 * document continue. Only the first TwiML of a call may carry it: each `<Start><Recording>` starts another
 * recording. We do not use `<Record>` (a voicemail-style verb that records the caller instead of letting the
 * conversation go on) nor `<Dial record>` (only for dialled legs). Pass `record: channel.recordingEnabled`
 * (`isCallStart(request)` says whether this is the first webhook of the call); when it is false nothing is
 * recorded by Twilio.
 */
import { InboundFormatError, type ConnectionContext, type InboundEvent, type RawInbound } from '../adapter.js';
import { param, requestParams } from './params.js';
import { stripWhatsApp } from './parse.js';
import { attributes, escapeXml, twimlDocument } from './twiml.js';
import { authTokenOf, verifyTwilioRequest } from './verify.js';
import { withoutNul } from '../../http/nul-characters.js';

export interface VoiceRequest {
  callSid: string;
  /** Caller and called numbers (E.164 for phone calls; a `whatsapp:` prefix is removed). */
  from: string;
  to: string;
  /** queued, ringing, in-progress, completed, busy, failed, no-answer, canceled. */
  callStatus: string;
  direction?: string;
  accountSid?: string;
  /** What the caller said, from a `<Gather input="speech">` action. */
  speechResult?: string;
  /** Recognition confidence, 0 to 1. */
  confidence?: number;
  /** Keys pressed, from a `<Gather>` that accepts DTMF. */
  digits?: string;
}

/**
 * Reads a Twilio Voice webhook (incoming call, Gather action, Redirect, status callback).
 * With `connection`, first verifies X-Twilio-Signature exactly as `adapter.verify` does (throws InboundAuthError).
 * Throws InboundFormatError when it is not a voice request.
 */
export function parseVoiceRequest(raw: RawInbound, connection?: ConnectionContext): VoiceRequest {
  if (connection) verifyTwilioRequest(raw, authTokenOf(connection));
  const params = requestParams(raw);
  const callSid = param(params, 'CallSid');
  if (!callSid) throw new InboundFormatError('Not a Twilio Voice webhook: CallSid is missing');
  const request: VoiceRequest = {
    callSid,
    from: stripWhatsApp(param(params, 'From') ?? param(params, 'Caller') ?? ''),
    to: stripWhatsApp(param(params, 'To') ?? param(params, 'Called') ?? ''),
    callStatus: param(params, 'CallStatus') ?? '',
  };
  const direction = param(params, 'Direction');
  const accountSid = param(params, 'AccountSid');
  const speechResult = param(params, 'SpeechResult');
  const confidence = Number(param(params, 'Confidence'));
  const digits = param(params, 'Digits');
  if (direction) request.direction = direction;
  if (accountSid) request.accountSid = accountSid;
  if (speechResult !== undefined && speechResult.trim() !== '') request.speechResult = speechResult;
  if (param(params, 'Confidence') !== undefined && Number.isFinite(confidence)) request.confidence = confidence;
  if (digits !== undefined && digits !== '') request.digits = digits;
  return withoutNul(request);
}

/** True for the first webhook of an incoming call (the one that may start a recording). */
export function isCallStart(request: VoiceRequest): boolean {
  return request.callStatus === 'ringing' && request.speechResult === undefined && request.digits === undefined;
}

/**
 * The caller's turn as an inbound event for the transcript, or undefined when nothing was said.
 * `turnId` must identify the turn within the call (e.g. a counter carried in the signed action URL):
 * Twilio voice webhooks carry no per-request id, and the same words may be said twice.
 */
export function voiceTurnEvent(request: VoiceRequest, turnId: string): InboundEvent | undefined {
  const text = request.speechResult ?? request.digits;
  if (text === undefined) return undefined;
  return {
    providerEventId: `${request.callSid}:${turnId}`,
    channelIdentifier: request.to,
    contact: { externalId: request.from },
    text,
    replyContext: {
      channelType: 'calls',
      callSid: request.callSid,
      from: request.from,
      to: request.to,
      ...(request.confidence !== undefined && { confidence: request.confidence }),
      ...(request.digits !== undefined && request.speechResult === undefined && { digits: request.digits }),
    },
  };
}

export interface SayOptions {
  /** Say voice, e.g. `Polly.Joanna` or `Google.en-US-Neural2-F`. */
  voice?: string;
  /** BCP-47 language, e.g. `en-US`: used for speech and speech recognition. */
  language?: string;
}

export interface GatherOptions extends SayOptions {
  /** What the agent says (plain text; escaped here). */
  say: string;
  /** Where Twilio posts what the caller said (absolute public URL). */
  actionUrl: string;
  /** Said when the caller says nothing, before the prompt is repeated. */
  fallback?: string;
  /** Where the silence loop goes (default: `actionUrl`). */
  redirectUrl?: string;
  /** Start a call recording: only in the first TwiML of a call (see the module comment). */
  record?: boolean;
  /** Where Twilio posts the recording's status (with `record`). */
  recordingStatusCallback?: string;
  /** Speech recognition hints (comma-separated words or phrases). */
  hints?: string;
}

export const DEFAULT_FALLBACK = "Sorry, I didn't catch that.";

function say(text: string, options: SayOptions): string {
  if (text.trim() === '') return '';
  return `<Say${attributes({ voice: options.voice, language: options.language })}>${escapeXml(text)}</Say>`;
}

function recording(options: Pick<GatherOptions, 'record' | 'recordingStatusCallback'>): string {
  if (!options.record) return '';
  return `<Start><Recording${attributes({ channels: 'dual', recordingStatusCallback: options.recordingStatusCallback })}/></Start>`;
}

/**
 * Says `say` while listening for speech; what the caller says is posted to `actionUrl`. If they say
 * nothing, says the fallback and redirects to re-prompt (a loop).
 */
export function gatherTwiml(options: GatherOptions): string {
  const gather =
    `<Gather${attributes({
      input: 'speech',
      action: options.actionUrl,
      method: 'POST',
      speechTimeout: 'auto',
      language: options.language,
      hints: options.hints,
    })}>` +
    say(options.say, options) +
    '</Gather>';
  const fallback = say(options.fallback ?? DEFAULT_FALLBACK, options);
  const redirect = `<Redirect method="POST">${escapeXml(options.redirectUrl ?? options.actionUrl)}</Redirect>`;
  return twimlDocument(recording(options) + gather + fallback + redirect);
}

/** Says `text` (if any) and ends the call. */
export function hangupTwiml(text: string, options: SayOptions = {}): string {
  return twimlDocument(say(text, options) + '<Hangup/>');
}

/**
 * Keeps the caller on the line while the answer is not ready: optionally says something, pauses, then
 * requests `redirectUrl` again (answer that with the reply once it is there).
 */
export function waitTwiml(options: SayOptions & { redirectUrl: string; pauseSeconds?: number; say?: string }): string {
  const pause = `<Pause${attributes({ length: Math.max(1, Math.min(10, Math.round(options.pauseSeconds ?? 1))) })}/>`;
  return twimlDocument(
    say(options.say ?? '', options) + pause + `<Redirect method="POST">${escapeXml(options.redirectUrl)}</Redirect>`,
  );
}
