/** Author lists kept once each: a shelf holds many books per author, and a list is never changed in place. */
import type { Author } from '../events.js';

export type AuthorLists = Map<string, Author[]>;

/** The key a list is kept under: its names. */
export const authorsKey = (author: Author[]): string => (author.length === 1 ? author[0]!.name : author.map((a) => a.name).join('\u0000'));

/** The author list as already kept for another book, else this one, kept from now on. */
export function sharedAuthors(lists: AuthorLists, author: Author[]): Author[] {
  const key = authorsKey(author);
  const known = lists.get(key);
  if (known !== undefined && known.length === author.length && known.every((a, i) => a.name === author[i]!.name)) return known;
  lists.set(key, author);
  return author;
}
