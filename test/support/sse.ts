/** A Server-Sent Events client for tests: connects with fetch, keeps every event it got, and hangs up on request. */

export interface ReceivedEvent {
  id?: string;
  event: string;
  data: string;
  json: Record<string, unknown>;
}

export interface OpenStream {
  status: number;
  headers: Headers;
  events: ReceivedEvent[];
  /** Comment lines (heartbeats) seen so far. */
  comments: string[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  changes(): ReceivedEvent[];
  lastId(): string | undefined;
  close(): void;
}

export async function openStream(url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  const ended = (async () => {
    if (!response.body || response.status !== 200) return;
    const decoder = new TextDecoder();
    let buffer = '';
    let frame: Partial<ReceivedEvent> & { data?: string } = {};
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 1);
          if (line === '') {
            if (frame.data !== undefined) {
              const data = frame.data;
              events.push({
                ...(frame.id !== undefined && { id: frame.id }),
                event: frame.event ?? 'message',
                data,
                json: JSON.parse(data) as Record<string, unknown>,
              });
            }
            frame = {};
          } else if (line.startsWith(':')) comments.push(line);
          else {
            const [field, ...rest] = line.split(':');
            const value = rest.join(':').replace(/^ /, '');
            if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
            if (field === 'id') frame.id = value;
            if (field === 'event') frame.event = value;
          }
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    ended,
    changes: () => events.filter((event) => event.event === 'message'),
    lastId: () => [...events].reverse().find((event) => event.id !== undefined)?.id,
    close: () => abort.abort(),
  };
}
