/** A command to `books` and the read of its book from list-books at the command's position, as P3 and P9 make them. */
import { send, type Answer } from './http-client.js';

/** Adds a book; `position` is the command's read-your-writes token when it was accepted (201). */
export async function addBook(
  books: string,
  id: string,
  title: string,
  { headers = {}, sender = send }: { headers?: Record<string, string>; sender?: typeof send } = {},
): Promise<{ answer: Answer; position?: string }> {
  const answer = await sender(`${books}/books`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ id, title }),
  });
  const position = answer.headers['x-bookshelf-position'];
  return answer.status === 201 && typeof position === 'string' ? { answer, position } : { answer };
}

/** Reads the book from list-books once it has applied everything up to `position` (or gives up after 5 s). */
export const readAt = (list: string, id: string, position: string, sender: typeof send = send): Promise<Answer> =>
  sender(`${list}/${id}?wait=5000`, { headers: { 'X-Bookshelf-Position': position } });
