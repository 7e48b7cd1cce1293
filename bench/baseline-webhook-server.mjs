// Baseline for bench/webhooks.mjs: a bare node:http webhook endpoint doing what an intake
// must do at the least: read the form body, check X-Twilio-Signature (HMAC-SHA1 with the
// Auth Token over the public URL and the sorted params, compared in constant time, against
// the URL without and with the scheme's default port as Twilio's validator does) and answer
// the same empty TwiML. It stores nothing. GET /health answers 200, GET /stats the counts.
//
// Environment: PORT, HOST, PUBLIC_URL (the origin Twilio calls), TWILIO_AUTH_TOKEN.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const publicUrl = (process.env.PUBLIC_URL ?? '').replace(/\/+$/, '');
const authToken = process.env.TWILIO_AUTH_TOKEN ?? '';
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const TWIML_LENGTH = Buffer.byteLength(TWIML);
const defaultPort = publicUrl.startsWith('https:') ? ':443' : ':80';
const origins = [publicUrl, publicUrl.replace(/^([a-z]+:\/\/[^/]+)/i, `$1${defaultPort}`)];

const stats = { accepted: 0, rejected: 0 };

function signature(url, params) {
  let data = url;
  for (const name of [...params.keys()].sort()) {
    for (const value of [...new Set(params.getAll(name))].sort()) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest();
}

function reject(response, status, message) {
  stats.rejected++;
  const body = JSON.stringify({ success: false, message });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

const server = createServer((request, response) => {
  if (request.method === 'GET') {
    const body = JSON.stringify(request.url === '/stats' ? stats : { status: 'ok' });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const header = request.headers['x-twilio-signature'];
    if (typeof header !== 'string' || header === '') return reject(response, 401, 'Missing X-Twilio-Signature');
    const given = Buffer.from(header, 'base64');
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    let valid = false;
    for (const origin of origins) {
      // Every candidate is compared (no early exit), in constant time.
      const expected = signature(origin + request.url, params);
      if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
    }
    if (!valid) return reject(response, 403, 'X-Twilio-Signature does not match');
    stats.accepted++;
    response.writeHead(200, { 'content-type': 'text/xml', 'content-length': TWIML_LENGTH });
    response.end(TWIML);
  });
});

server.listen(port, host, () => {
  const address = server.address();
  process.stdout.write(`baseline listening on http://${host}:${typeof address === 'object' && address ? address.port : port}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
