/** Fetches a peer's snapshot as a stream; a peer that stalls for too long is given up. */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface SnapshotClientOptions {
  /** The bearer token, when the services have one. */
  token?: string;
  /** Without a byte for this long, the transfer fails. */
  idleMs?: number;
}

export async function fetchSnapshot(url: string, { token, idleMs = 10_000 }: SnapshotClientOptions = {}): Promise<Readable> {
  const abort = new AbortController();
  let idle = setTimeout(() => abort.abort(new Error(`no answer from ${url} for ${idleMs} ms`)), idleMs);
  const response = await fetch(`${url}/snapshot`, {
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
    signal: abort.signal,
  }).catch((error: Error) => {
    clearTimeout(idle);
    throw error;
  });
  if (!response.ok || response.body === null) {
    clearTimeout(idle);
    await response.body?.cancel();
    throw new Error(`${url}/snapshot answered ${response.status}`);
  }
  const reader = (response.body as WebReadableStream<Uint8Array>).getReader();
  // Each piece restarts the idle timer; an error of the connection ends the stream with that error.
  async function* pieces(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        clearTimeout(idle);
        if (done) return;
        idle = setTimeout(() => abort.abort(new Error(`the transfer from ${url} stalled for ${idleMs} ms`)), idleMs);
        yield value;
      }
    } finally {
      clearTimeout(idle);
      await reader.cancel().catch(() => undefined);
    }
  }
  return Readable.from(pieces(), { objectMode: false });
}
