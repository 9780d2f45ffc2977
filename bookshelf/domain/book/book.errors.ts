/** Why the Book rules refused a command; the HTTP layer maps each code to a status. */
export type BookErrorCode = 'book_exists' | 'unknown_book' | 'book_removed' | 'not_read_yet';

export class BookError extends Error {
  override readonly name = 'BookError';

  constructor(
    readonly code: BookErrorCode,
    message: string,
  ) {
    super(message);
  }
}
