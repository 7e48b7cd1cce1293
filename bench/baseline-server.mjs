// Baseline for bench/api.mjs: the cheapest possible JSON endpoint on bare node:http, so the
// Switchboard numbers can be read as a fraction of what this machine + load generator allow.
import { createServer } from 'node:http';

const body = JSON.stringify({ success: true, data: { hello: 'world' } });
const length = Buffer.byteLength(body);
const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': length });
  response.end(body);
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
