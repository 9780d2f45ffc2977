/**
 * The P2 baseline: a bare node:http server answering every request with the same bytes as the view.
 *   node dist-bench/bench/baselines/bare-http.js <body-file> <content-type>   (prints its port)
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const [bodyFile, contentType = 'application/json'] = process.argv.slice(2);
const body = readFileSync(bodyFile!);
const server = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
