/** The read routes of the list-books view: `GET /` (every book, `?status=` filters) and `GET /:id`. */
import Router from '@koa/router';
import { bookStatuses, type BookStatus } from '../../domain/book/book.decider.js';
import { getBook, listBooks, type ListBooksView } from '../../domain/projections/list-books.projection.js';
import { fixedRoutes } from './fixed-routes.js';
import { ProblemError } from './problem.js';
import type { ViewRoutes, ViewRoutesDeps } from './view-routes.js';

function statusFilter(raw: unknown): BookStatus | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && (bookStatuses as readonly string[]).includes(raw)) return raw as BookStatus;
  throw new ProblemError('invalid_query', `status must be one of ${bookStatuses.join(', ')}`, { field: 'status' });
}

export function listBooksRoutes({ reader, positions }: ViewRoutesDeps<ListBooksView>): ViewRoutes {
  const router = new Router();
  router.use(positions.middleware);
  router.get('/:id', (ctx) => {
    const book = getBook(reader.view(), ctx.params.id!);
    if (!book) throw new ProblemError('unknown_book', `no book ${JSON.stringify(ctx.params.id!.slice(0, 50))}`);
    ctx.body = book;
  });
  return {
    fixed: fixedRoutes(
      {
        '/': (ctx) => {
          // Only a query string can hold a filter: without one, no parsing.
          const status = ctx.querystring === '' ? undefined : statusFilter(ctx.query.status);
          return reader.json(`list:${status ?? ''}`, (view) => listBooks(view, status ? { status } : {}));
        },
      },
      { around: positions.serve },
    ),
    router,
  };
}
