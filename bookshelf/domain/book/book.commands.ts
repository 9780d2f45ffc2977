/** What a user asks of a book. Validated at the boundary: the decider trusts the shapes. */
import type { BookDetails } from '../events.js';

export type AddBook = { type: 'add-book'; data: BookDetails & { id: string; title: string } };
export type StartBook = { type: 'start-book'; data: { id: string } };
export type FinishBook = { type: 'finish-book'; data: { id: string } };
/** `rating` is an integer 1–5, checked before the command is made. */
export type RateBook = { type: 'rate-book'; data: { id: string; rating: number } };
export type RemoveBook = { type: 'remove-book'; data: { id: string } };

export type BookCommand = AddBook | StartBook | FinishBook | RateBook | RemoveBook;
export type BookCommandType = BookCommand['type'];
