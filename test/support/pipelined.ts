/** Requests sent back to back on one connection, as a client that pipelines does. */
import { connect } from 'node:net';
import { expect } from 'vitest';

/** The answers as one text, once `until` matches what came back, or what came by `timeoutMs`. */
function pipelined(url: string, requests: string[], until: RegExp, timeoutMs = 5000): Promise<string> {
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

/**
 * HEAD of an event stream, then a GET of `nextPath` on the same connection: the first answer is the head of a stream
 * and nothing more, and the connection goes on to answer the second.
 */
export async function expectStreamHeadAlone(url: string, streamPath: string, nextPath: string): Promise<void> {
  const answer = await pipelined(url, [`HEAD ${streamPath}`, `GET ${nextPath}`], /\r\n\r\n[^]*\r\n\r\n/);
  const [head, next] = answer.split(/(?=HTTP\/1\.1 )/);
  expect(head).toMatch(/^HTTP\/1\.1 200 /);
  expect(head).toMatch(/\r\nContent-Type: text\/event-stream; charset=utf-8\r\n/i);
  expect(head!.endsWith('\r\n\r\n'), 'no body').toBe(true);
  expect(next).toMatch(/^HTTP\/1\.1 200 /);
}
