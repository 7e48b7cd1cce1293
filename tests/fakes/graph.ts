/**
 * A fake Meta Graph API on 127.0.0.1: WhatsApp Cloud API sends, Messenger/Instagram page sends,
 * me/accounts and node reads (`GET /{phone-number-id | page-id | ig-id}?fields=…`), with Graph's real paths, auth (Bearer header or access_token query, optional
 * appsecret_proof) and error bodies (`{error:{message,type,code,fbtrace_id}}`).
 *
 * The Graph API has no idempotency key, so the fake deduplicates nothing: it records every
 * request and every message it accepted, so a test counts exactly what a person would receive.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphRequest {
  method: string;
  /** Path without the query string, e.g. `/v21.0/106540352242922/messages`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
  json?: unknown;
  /** How the caller authenticated: `bearer`, `query`, or undefined when it did not. */
  auth?: 'bearer' | 'query';
}

export interface GraphMessage {
  channel: 'whatsapp' | 'page';
  version: string;
  /** phone number id (WhatsApp) or page / Instagram account id. */
  from: string;
  to: string;
  text: string;
  /** wamid… or m_… as returned to the caller. */
  id: string;
  /** messaging_type of a page send. */
  messagingType?: string;
  /** The titles of the reply buttons, list rows or quick_replies sent with the text. */
  quickReplies?: string[];
  /** How a WhatsApp message offered them: `button` or `list` (interactive types). */
  interactive?: 'button' | 'list';
}

export interface GraphPage {
  id: string;
  name: string;
  category?: string;
  /** The Instagram professional account linked to the page (`GET /{page-id}?fields=instagram_business_account`). */
  instagramBusinessAccount?: { id: string; username?: string };
}

/** A WhatsApp Business phone number as `GET /{phone-number-id}` shows it. */
export interface GraphPhoneNumber {
  displayPhoneNumber: string;
  verifiedName?: string;
}

export interface GraphFailure {
  status: number;
  /** Retry-After header value. */
  retryAfter?: number | string;
  /** Graph error object fields; defaults depend on the status. */
  error?: { message?: string; type?: string; code?: number; error_subcode?: number; is_transient?: boolean };
  /** Accept and record the message, then answer the failure anyway (the answer is "lost"). */
  afterDelivery?: boolean;
  /** Destroy the connection instead of answering (a network failure). */
  drop?: boolean;
}

export interface FakeGraphOptions {
  accessToken: string;
  /** More tokens the fake accepts (a user token beside a system-user token, say). */
  additionalAccessTokens?: string[];
  /** WhatsApp phone numbers by phone number id, readable with `GET /{id}?fields=display_phone_number,verified_name`. */
  phoneNumbers?: Record<string, GraphPhoneNumber>;
  /** When set, an appsecret_proof that is present must be HMAC-SHA256(appSecret, token). */
  appSecret?: string;
  /** Refuse calls without appsecret_proof (the app's "Require App Secret" switch). */
  requireAppSecretProof?: boolean;
  /** Known WhatsApp phone number ids; when given, sends from others fail with code 100. */
  phoneNumberIds?: string[];
  /** Known page / Instagram account ids; when given, sends from others fail with code 100. */
  pageIds?: string[];
  /** Pages returned by me/accounts. */
  pages?: GraphPage[];
  /** Largest page size me/accounts returns (Graph's default limit is 25). */
  maxPageSize?: number;
}

export interface FakeGraph {
  url: string;
  requests: GraphRequest[];
  messages: GraphMessage[];
  pages: GraphPage[];
  /** A file a WhatsApp user sent: `GET /{version}/{mediaId}` answers its url, which serves its bytes to the same token. */
  addMedia(mediaId: string, bytes: Buffer, mimeType: string): void;
  /** The next request (of any kind) fails this way; queue several by calling again. */
  failNext(status: number, options?: Omit<GraphFailure, 'status'>): void;
  /** The next request's connection is destroyed without an answer. */
  dropNext(options?: { afterDelivery?: boolean }): void;
  reset(): void;
  close(): Promise<void>;
}

/** A Meta-signed webhook body and its headers, as Meta would POST it (`X-Hub-Signature-256`). */
export function signedMetaWebhook(appSecret: string, payload: unknown | string): { body: string; headers: Record<string, string> } {
  // Meta escapes non-ASCII as \uXXXX in what it sends and signs.
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const signature = createHmac('sha256', appSecret).update(body).digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` } };
}

const chars = (value: unknown) => (typeof value === 'string' ? [...value].length : 0);

/**
 * The text and choices of a WhatsApp Cloud API message body as Meta checks them: `text` (body of at
 * most 4096 characters) or `interactive` reply buttons (1-3, unique ids of at most 256 and titles of
 * 1-20 characters) or a list (a button label of 1-20, 1-10 sections holding 1-10 rows in all, row
 * ids of at most 200 and titles of 1-24), each with a body text of 1-1024 characters.
 */
function whatsappContent(body: any): { text: string; quickReplies?: string[]; interactive?: 'button' | 'list' } | { error: string } {
  if (body.type === 'text') {
    if (typeof body.text?.body !== 'string' || body.text.body === '') return { error: "(#100) Param text['body'] is required for type text" };
    if (body.text.body.length > 4096) return { error: "(#100) Param text['body'] must be at most 4096 characters long." };
    return { text: body.text.body };
  }
  if (body.type !== 'interactive') return { error: "(#100) Param text['body'] is required for type text" };
  const interactive = body.interactive;
  const text = interactive?.body?.text;
  if (typeof text !== 'string' || text === '' || chars(text) > 1024) return { error: "(#100) Param interactive['body']['text'] must be 1 to 1024 characters" };
  const titled = (items: any[], maxTitle: number, maxId: number, what: string) => {
    const ids = new Set<string>();
    for (const item of items) {
      if (chars(item?.title) < 1 || chars(item?.title) > maxTitle) return `(#131009) Parameter value is not valid: ${what} title length must be 1 to ${maxTitle}`;
      if (chars(item?.id) < 1 || chars(item?.id) > maxId || ids.has(item.id)) return `(#131009) Parameter value is not valid: ${what} ids must be unique, 1 to ${maxId} characters`;
      ids.add(item.id);
    }
    return undefined;
  };
  if (interactive.type === 'button') {
    const buttons = interactive.action?.buttons;
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return { error: '(#131009) Parameter value is not valid: buttons must have 1 to 3 items' };
    if (buttons.some((b: any) => b?.type !== 'reply')) return { error: "(#131009) Parameter value is not valid: button type must be 'reply'" };
    const invalid = titled(buttons.map((b: any) => b.reply), 20, 256, 'button');
    if (invalid) return { error: invalid };
    return { text, interactive: 'button', quickReplies: buttons.map((b: any) => b.reply.title) };
  }
  if (interactive.type === 'list') {
    const label = interactive.action?.button;
    if (chars(label) < 1 || chars(label) > 20) return { error: '(#131009) Parameter value is not valid: button label length must be 1 to 20' };
    const sections = interactive.action?.sections;
    if (!Array.isArray(sections) || sections.length < 1 || sections.length > 10) return { error: '(#131009) Parameter value is not valid: sections must have 1 to 10 items' };
    if (sections.length > 1 && sections.some((s: any) => chars(s?.title) < 1)) return { error: '(#131009) Parameter value is not valid: section title is required with several sections' };
    const rows = sections.flatMap((s: any) => (Array.isArray(s?.rows) ? s.rows : []));
    if (rows.length < 1 || rows.length > 10) return { error: '(#131009) Parameter value is not valid: a list message must have 1 to 10 rows' };
    const invalid = titled(rows, 24, 200, 'row');
    if (invalid) return { error: invalid };
    return { text, interactive: 'list', quickReplies: rows.map((r: any) => r.title) };
  }
  return { error: "(#131009) Parameter value is not valid: interactive type must be one of {button, list, product, product_list, cta_url, flow}" };
}

const graphErrorBody = (status: number, error: GraphFailure['error'] = {}) => {
  const defaults =
    status === 429
      ? { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4, is_transient: true }
      : status >= 500
        ? { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true }
        : { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, is_transient: false };
  return { error: { ...defaults, ...error, fbtrace_id: randomBytes(8).toString('base64url') } };
};

export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const failures: GraphFailure[] = [];
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  const fake: FakeGraph = {
    url: '',
    requests: [],
    messages: [],
    pages: options.pages ?? [],
    addMedia: (mediaId, bytes, mimeType) => void media.set(mediaId, { bytes, mimeType }),
    failNext: (status, failure = {}) => void failures.push({ status, ...failure }),
    dropNext: (failure = {}) => void failures.push({ status: 0, drop: true, ...failure }),
    reset: () => {
      fake.requests.length = 0;
      fake.messages.length = 0;
      failures.length = 0;
    },
    close: async () => undefined,
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers }).end(JSON.stringify(body));
  };

  /** Top-level names of a Graph `fields` list: `name,instagram_business_account{id,username}` → name, instagram_business_account. */
  const topLevelFields = (fields: string | undefined): string[] | undefined => {
    if (!fields) return undefined;
    const names: string[] = [];
    let depth = 0;
    let current = '';
    for (const c of fields) {
      if (c === '{') depth++;
      if (c === '}') depth--;
      if (c === ',' && depth === 0) {
        names.push(current.trim());
        current = '';
      } else if (depth === 0 && c !== '}') current += c;
    }
    if (current.trim()) names.push(current.trim());
    return names;
  };

  /** `GET /{version}/{node}?fields=…`: a phone number, a page or an Instagram account; anything else is Graph's code 100/33. */
  const readNode = (res: ServerResponse, node: string, fields: string | undefined) => {
    let full: Record<string, unknown> | undefined;
    const phone = options.phoneNumbers?.[node];
    if (phone) {
      full = {
        id: node,
        display_phone_number: phone.displayPhoneNumber,
        verified_name: phone.verifiedName ?? 'Test Business',
        quality_rating: 'GREEN',
        code_verification_status: 'VERIFIED',
      };
    }
    const page = fake.pages.find((p) => p.id === node);
    if (!full && page) {
      full = { id: page.id, name: page.name, ...(page.category && { category: page.category }) };
      if (page.instagramBusinessAccount) full.instagram_business_account = { ...page.instagramBusinessAccount };
    }
    const linked = fake.pages.find((p) => p.instagramBusinessAccount?.id === node)?.instagramBusinessAccount;
    if (!full && linked) full = { id: linked.id, ...(linked.username && { username: linked.username }) };
    if (!full) {
      return send(
        res,
        400,
        graphErrorBody(400, {
          message: `Unsupported get request. Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          type: 'GraphMethodException',
          code: 100,
          error_subcode: 33,
        }),
      );
    }
    const wanted = topLevelFields(fields) ?? ['id', 'name'];
    const answer: Record<string, unknown> = { id: full.id };
    for (const name of wanted) if (name in full) answer[name] = full[name];
    return send(res, 200, answer);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://graph.local');
    const query = Object.fromEntries(url.searchParams);
    let json: unknown;
    try {
      json = raw ? JSON.parse(raw) : undefined;
    } catch {
      json = undefined;
    }
    const authorization = req.headers.authorization;
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    const token = bearer ?? query.access_token;
    const request: GraphRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query,
      headers: req.headers,
      body: raw,
      ...(json !== undefined && { json }),
      ...(bearer !== undefined ? { auth: 'bearer' as const } : query.access_token !== undefined ? { auth: 'query' as const } : {}),
    };
    fake.requests.push(request);

    const failure = failures.shift();
    const fail = (f: GraphFailure) => {
      if (f.drop) {
        res.socket?.destroy();
        return;
      }
      send(res, f.status, graphErrorBody(f.status, f.error), f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
    };
    if (failure && !failure.afterDelivery) return fail(failure);

    if (!token) {
      return send(res, 400, graphErrorBody(400, { message: 'An active access token must be used to query information about the current user.', code: 2500 }));
    }
    if (token !== options.accessToken && !(options.additionalAccessTokens ?? []).includes(token)) {
      return send(res, 401, graphErrorBody(401, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 }));
    }
    // Media downloads are served, as Meta serves them, from another path to the same bearer token (no appsecret_proof).
    const download = /^\/whatsapp-media\/([^/]+)$/.exec(url.pathname);
    if (download) {
      const file = media.get(decodeURIComponent(download[1]!));
      if (!file || bearer === undefined) return send(res, 404, graphErrorBody(404, { message: 'Media not found', code: 100 }));
      res.writeHead(200, { 'content-type': file.mimeType, 'content-length': String(file.bytes.length) });
      return res.end(file.bytes);
    }
    const proof = query.appsecret_proof;
    if (proof !== undefined && options.appSecret && proof !== createHmac('sha256', options.appSecret).update(token).digest('hex')) {
      return send(res, 400, graphErrorBody(400, { message: 'Invalid appsecret_proof provided in the API argument', code: 100 }));
    }
    if (proof === undefined && options.requireAppSecretProof) {
      return send(res, 400, graphErrorBody(400, { message: 'API calls from the server require an appsecret_proof argument', code: 100 }));
    }

    const nodeRoute = /^\/(v\d+\.\d+)\/([^/]+)$/.exec(url.pathname);
    const asked = nodeRoute && media.get(decodeURIComponent(nodeRoute[2]!));
    if (nodeRoute && asked && req.method === 'GET') {
      const mediaId = decodeURIComponent(nodeRoute[2]!);
      return send(res, 200, {
        messaging_product: 'whatsapp',
        url: `${fake.url}/whatsapp-media/${encodeURIComponent(mediaId)}`,
        mime_type: asked.mimeType,
        sha256: createHash('sha256').update(asked.bytes).digest('hex'),
        file_size: asked.bytes.length,
        id: mediaId,
      });
    }
    if (nodeRoute && req.method === 'GET') return readNode(res, decodeURIComponent(nodeRoute[2]!), query.fields);
    const route = /^\/(v\d+\.\d+)\/([^/]+)\/(messages|accounts)$/.exec(url.pathname);
    if (!route) {
      return send(res, 400, graphErrorBody(400, { message: `Unknown path components: ${url.pathname}`, code: 2500 }));
    }
    const [, version, node, edge] = route as unknown as [string, string, string, string];
    const body = (json ?? {}) as Record<string, any>;

    if (edge === 'accounts' && req.method === 'GET' && node === 'me') {
      const max = options.maxPageSize ?? 100;
      const limit = Math.min(Number(query.limit) > 0 ? Number(query.limit) : 25, max);
      const start = query.after ? Number(Buffer.from(query.after, 'base64url').toString()) : 0;
      const slice = fake.pages.slice(start, start + limit);
      const fields = query.fields ? query.fields.split(',') : ['access_token', 'category', 'category_list', 'name', 'id', 'tasks'];
      const data = slice.map((page) => {
        const full: Record<string, unknown> = {
          ...page,
          access_token: `EAAPAGE${page.id}`,
          category_list: page.category ? [{ id: '2200', name: page.category }] : [],
          tasks: ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'],
        };
        return Object.fromEntries(fields.filter((f) => f in full).map((f) => [f, full[f]]));
      });
      const cursor = (i: number) => Buffer.from(String(i)).toString('base64url');
      const hasNext = start + limit < fake.pages.length;
      const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(start + slice.length) } };
      if (hasNext) paging.next = `https://graph.facebook.com/${version}/me/accounts?limit=${limit}&after=${cursor(start + slice.length)}`;
      return send(res, 200, { data, paging });
    }

    if (edge !== 'messages' || req.method !== 'POST') {
      return send(res, 400, graphErrorBody(400, { message: `Unsupported ${req.method} request.`, code: 100 }));
    }
    if (json === undefined) return send(res, 400, graphErrorBody(400, { message: '(#100) The parameter messaging_product is required.', code: 100 }));

    let message: GraphMessage;
    if (body.recipient === undefined) {
      // WhatsApp Cloud API (page sends always name a recipient object)
      if (options.phoneNumberIds && !options.phoneNumberIds.includes(node)) {
        return send(res, 400, graphErrorBody(400, { message: `Unsupported post request. Object with ID '${node}' does not exist`, code: 100, error_subcode: 33 }));
      }
      if (body.messaging_product !== 'whatsapp') return send(res, 400, graphErrorBody(400, { message: '(#100) The parameter messaging_product is required.' }));
      if (typeof body.to !== 'string' || body.to === '') return send(res, 400, graphErrorBody(400, { message: '(#100) The parameter to is required.' }));
      if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
        return send(res, 400, graphErrorBody(400, { message: '(#100) Param recipient_type must be one of {INDIVIDUAL, GROUP}' }));
      }
      const content = whatsappContent(body);
      if ('error' in content) return send(res, 400, graphErrorBody(400, { message: content.error, code: 100 }));
      message = { channel: 'whatsapp', version, from: node, to: body.to, ...content, id: `wamid.${randomBytes(24).toString('base64url')}` };
    } else {
      // Messenger / Instagram Send API
      if (options.pageIds && !options.pageIds.includes(node)) {
        return send(res, 400, graphErrorBody(400, { message: `Unsupported post request. Object with ID '${node}' does not exist`, code: 100, error_subcode: 33 }));
      }
      if (typeof body.recipient?.id !== 'string' || body.recipient.id === '') {
        return send(res, 400, graphErrorBody(400, { message: '(#100) The parameter recipient is required' }));
      }
      if (!['RESPONSE', 'UPDATE', 'MESSAGE_TAG'].includes(body.messaging_type)) {
        return send(res, 400, graphErrorBody(400, { message: '(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}' }));
      }
      if (typeof body.message?.text !== 'string' || body.message.text === '') {
        return send(res, 400, graphErrorBody(400, { message: '(#100) Must send either message or sender action' }));
      }
      if (body.message.text.length > 2000) {
        return send(res, 400, graphErrorBody(400, { message: '(#100) Length of param message[text] must be less than or equal to 2000' }));
      }
      const quick = body.message.quick_replies;
      if (quick !== undefined) {
        // Messenger and Instagram: 1-13 quick replies; a text one needs a title of 1-20 characters and a payload of 1-1000.
        const valid =
          Array.isArray(quick) &&
          quick.length >= 1 &&
          quick.length <= 13 &&
          quick.every((q: any) => q?.content_type === 'text' && chars(q.title) >= 1 && chars(q.title) <= 20 && chars(q.payload) >= 1 && chars(q.payload) <= 1000);
        if (!valid) return send(res, 400, graphErrorBody(400, { message: '(#100) param message[quick_replies] is invalid', code: 100 }));
      }
      message = {
        channel: 'page',
        version,
        from: node,
        to: body.recipient.id,
        text: body.message.text,
        id: `m_${randomBytes(24).toString('base64url')}`,
        messagingType: body.messaging_type,
        ...(Array.isArray(quick) && { quickReplies: quick.map((q: any) => q.title as string) }),
      };
    }
    fake.messages.push(message);
    if (failure) return fail(failure);
    if (message.channel === 'whatsapp') {
      return send(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: message.to, wa_id: message.to }], messages: [{ id: message.id }] });
    }
    return send(res, 200, { recipient_id: message.to, message_id: message.id });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
