/**
 * Fetches a peer's snapshot as a stream; a peer that stalls for too long is given up. node:http rather than fetch:
 * its answer is a stream of Buffers as they come off the socket, without a web stream to turn back into one.
 */
import { get } from 'node:http';
import type { Readable } from 'node:stream';

export interface SnapshotClientOptions {
  /** The bearer token, when the services have one. */
  token?: string;
  /** Without a byte for this long, the transfer fails. */
  idleMs?: number;
}

export function fetchSnapshot(url: string, { token, idleMs = 10_000 }: SnapshotClientOptions = {}): Promise<Readable> {
  return new Promise((resolve, reject) => {
    let answer: Readable | undefined;
    const request = get(`${url}/snapshot`, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } }, (response) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        response.resume();
        request.destroy();
        reject(new Error(`${url}/snapshot answered ${status}`));
        return;
      }
      answer = response;
      resolve(response);
    });
    // The socket's idle timer covers the wait for an answer and every pause in it; a connection that drops ends the stream with an error.
    request.setTimeout(idleMs, () => {
      const stalled = new Error(`no byte from ${url} for ${idleMs} ms`);
      answer?.destroy(stalled);
      request.destroy(stalled);
    });
    request.once('error', reject);
  });
}
