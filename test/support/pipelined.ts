/** Requests sent back to back on one connection, as a client that pipelines does; the answers as one text. */
import { connect } from 'node:net';

/** Resolves once `until` matches what came back, or with what came by `timeoutMs`. */
export function pipelined(url: string, requests: string[], until: RegExp, timeoutMs = 5000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (until.test(answer)) done();
    });
    socket.on('error', reject);
    socket.write(requests.map((path) => `${path} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
  });
}
