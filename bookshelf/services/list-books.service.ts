/** Every book on the shelf with its status. */
import { getBook, listBooksProjection, type ListBooksView } from '../domain/projections/list-books.projection.js';
import { listBooksRoutes } from '../adapters/http/list-books.routes.js';
import type { ViewDefinition } from './view-service.js';
import { snapshotOptions } from '../adapters/cli/snapshot-options.js';

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
  change: () => (view, book) => ({ row: book === null ? null : (getBook(view, book) ?? null) }),
  routes: (deps) => listBooksRoutes(deps),
};
