// The gateway's REST API as the page uses it: commands with their position token, reads that wait for one.

/** A refusal or failure, with the problem+json detail to show next to what caused it. */
export class Refused extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `the shelf answered ${status}`);
    this.status = status;
    this.code = problem?.code;
  }
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** Sends a command; resolves to { position, body } once Kafka took it. */
export async function command(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch {
    throw new Refused(0, { detail: 'The shelf cannot be reached. Check the connection and try again.' });
  }
  if (!response.ok) throw new Refused(response.status, await problemOf(response));
  const text = await response.text();
  return { position: response.headers.get('X-Bookshelf-Position') || '', body: text === '' ? undefined : JSON.parse(text) };
}

/** Reads a view; with a position, the answer includes at least that write (read your writes). */
export async function read(path, position) {
  const url = position ? `${path}${path.includes('?') ? '&' : '?'}position=${encodeURIComponent(position)}&wait=5000` : path;
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch {
    throw new Refused(0, { detail: 'The shelf cannot be reached.' });
  }
  if (!response.ok) throw new Refused(response.status, await problemOf(response));
  return { position: response.headers.get('X-Bookshelf-Position') || '', body: await response.json() };
}

/** `"0:5,2:7"` → Map { 0 → 5, 2 → 7 }. */
export function parsePosition(token) {
  const position = new Map();
  for (const pair of (token || '').split(',')) {
    const [partition, offset] = pair.split(':');
    if (partition !== undefined && offset !== undefined && partition !== '' && offset !== '')
      position.set(Number(partition), Number(offset));
  }
  return position;
}

/** Whether a view's answer at `position` already includes the event at `at` (`"p:o"`). */
export function includes(position, at) {
  const [partition, offset] = at.split(':').map(Number);
  return (position.get(partition) ?? -1) >= offset;
}
