/** What a fuzzed request's answer must be, and what it did to the shelf, judged from the request and the answer alone. */
import type { FuzzAnswer } from './http-client.js';
import type { FuzzRequest } from './http-generators.js';

/** What is wrong with an answer, if anything. */
export function verdict(req: FuzzRequest, answer: FuzzAnswer): string | undefined {
  if (answer.status === 0) return `no answer (${answer.body.slice(0, 200)})`;
  const contentType = String(answer.headers['content-type'] ?? '');
  if (answer.status >= 500) {
    // A HEAD answer has no body to name the code: its headers must say the same.
    const named =
      req.method === 'HEAD'
        ? String(answer.headers['content-type'] ?? '').startsWith('application/problem+json')
        : answer.body.includes('"code":"not_caught_up"');
    const waited = req.mayWait === true && answer.status === 503 && named && answer.headers['retry-after'] === '1';
    if (!waited) return `${answer.status} ${answer.body.slice(0, 300)}`;
  }
  if (answer.status < 400) return undefined;
  if (!contentType.startsWith('application/problem+json'))
    return `${answer.status} with content-type "${contentType}" ${answer.body.slice(0, 200)}`;
  if (req.method === 'HEAD') return undefined;
  let problem: { status?: unknown; code?: unknown; type?: unknown; title?: unknown };
  try {
    problem = JSON.parse(answer.body) as typeof problem;
  } catch {
    return `${answer.status} body is not JSON: ${answer.body.slice(0, 200)}`;
  }
  if (
    problem.status !== answer.status ||
    typeof problem.code !== 'string' ||
    typeof problem.type !== 'string' ||
    typeof problem.title !== 'string'
  ) {
    return `${answer.status} problem does not match: ${answer.body.slice(0, 300)}`;
  }
  return undefined;
}

/** The book a successful command added or removed, as the answer tells it. */
export function effect(req: FuzzRequest, answer: FuzzAnswer): { added?: string; removed?: string } {
  const path = req.path.split('?')[0]!;
  // Only adding a book answers 201, whatever spelling of its path the router took.
  if (answer.status === 201) return { added: (JSON.parse(answer.body) as { id: string }).id };
  const removed = /^\/(?:bookshelf\/)?books\/([^/]+)\/?$/i.exec(path);
  if (req.method === 'DELETE' && answer.status === 204 && removed) return { removed: decodeURIComponent(removed[1]!) };
  return {};
}
