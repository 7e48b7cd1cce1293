// Fake Twilio REST API for bench/webhooks.mjs, run as its own process so that the replies
// Switchboard delivers in the background cost the load generator nothing. It answers
// `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (HTTP Basic AccountSid:AuthToken,
// form body To/From/Body) with 201 and a JSON message resource `{ sid, … }`, and counts what
// it received: GET /stats → { requests, created, replays, rejected, distinctTokens }, and
// GET /bodies → { [Body]: messages created with it } (bench/faults.mjs counts duplicates with it).
//
// Environment: PORT, HOST, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const accountSid = process.env.TWILIO_ACCOUNT_SID ?? '';
const authToken = process.env.TWILIO_AUTH_TOKEN ?? '';
const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
const route = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

const stats = { requests: 0, created: 0, replays: 0, rejected: 0, distinctTokens: 0 };
const byToken = new Map(); // I-Twilio-Idempotency-Token -> answered resource
const byBody = new Map(); // Body -> messages created with it

function json(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method === 'GET' && path === '/health') return json(response, 200, { status: 'ok' });
    if (request.method === 'GET' && path === '/stats') return json(response, 200, stats);
    if (request.method === 'GET' && path === '/bodies') return json(response, 200, Object.fromEntries(byBody));
    const match = route.exec(path);
    if (request.method !== 'POST' || !match) return json(response, 404, { code: 20404, message: `The requested resource ${path} was not found`, status: 404 });
    stats.requests++;
    if (request.headers.authorization !== expectedAuth || decodeURIComponent(match[1]) !== accountSid) {
      stats.rejected++;
      return json(response, 401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const to = form.get('To');
    const from = form.get('From');
    const body = form.get('Body');
    if (!to || !from || !body) {
      stats.rejected++;
      return json(response, 400, { code: 21602, message: 'To, From and Body are required.', status: 400 });
    }
    const token = request.headers['i-twilio-idempotency-token'];
    if (typeof token === 'string' && byToken.has(token)) {
      stats.replays++;
      return json(response, 201, byToken.get(token));
    }
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const resource = { sid, account_sid: accountSid, to, from, body, status: 'queued', direction: 'outbound-api', api_version: '2010-04-01' };
    if (typeof token === 'string') {
      byToken.set(token, resource);
      stats.distinctTokens = byToken.size;
    }
    stats.created++;
    byBody.set(body, (byBody.get(body) ?? 0) + 1);
    json(response, 201, resource);
  });
});
server.keepAliveTimeout = 30_000;

server.listen(port, host, () => {
  const address = server.address();
  process.stdout.write(`fake Twilio listening on http://${host}:${typeof address === 'object' && address ? address.port : port}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
