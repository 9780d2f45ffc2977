/** Every book on the shelf with its status. */
import { bookStatuses, type BookStatus } from '../domain/book/book.decider.js';
import { getBook, listBooks, listBooksProjection, type ListBooksView } from '../domain/projections/list-books.projection.js';
import { ProblemError } from '../adapters/http/problem.js';
import type { ViewDefinition } from './view-service.js';
import { snapshotOptions } from '../adapters/cli/snapshot-options.js';

function statusFilter(raw: unknown): BookStatus | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && (bookStatuses as readonly string[]).includes(raw)) return raw as BookStatus;
  throw new ProblemError('invalid_query', `status must be one of ${bookStatuses.join(', ')}`, { field: 'status' });
}

export const listBooksView: ViewDefinition<ListBooksView> = {
  defaults: {
    entry: 'list-books',
    role: 'view',
    name: 'booklist',
    port: 8084,
    tags: ['books', 'list'],
    describe: 'View: every book on the shelf with its status.',
    options: snapshotOptions,
  },
  projection: listBooksProjection,
  change: (view, book) => ({ row: book === null ? null : (getBook(view, book) ?? null) }),
  routes(router, reader) {
    router.get('/', (ctx) => {
      const status = statusFilter(ctx.query.status);
      ctx.type = 'application/json';
      ctx.body = reader.json(`list:${status ?? ''}`, (view) => listBooks(view, status ? { status } : {}));
    });
    router.get('/:id', (ctx) => {
      const book = getBook(reader.view(), ctx.params.id!);
      if (!book) throw new ProblemError('unknown_book', `no book ${JSON.stringify(ctx.params.id!.slice(0, 50))}`);
      ctx.body = book;
    });
  },
};
