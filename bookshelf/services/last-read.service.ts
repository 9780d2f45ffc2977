/** The last read books, most recent first. */
import { lastReadBooks, lastReadProjection, type LastReadView } from '../domain/projections/last-read.projection.js';
import { integer } from '../adapters/cli/options.js';
import { lastReadRoutes } from '../adapters/http/last-read.routes.js';
import type { ViewDefinition } from './view-service.js';
import { snapshotOptions } from '../adapters/cli/snapshot-options.js';

export const lastReadView: ViewDefinition<LastReadView> = {
  defaults: {
    entry: 'last-read',
    role: 'view',
    name: 'lastreadbooks',
    port: 8087,
    tags: ['books', 'last'],
    describe: 'View: the last read books, most recent first.',
    options: [
      { flag: 'size', type: 'number', env: 'BOOKSHELF_SIZE', default: 5, describe: 'how many books GET / lists', parse: integer(1, 1000) },
      ...snapshotOptions,
    ],
  },
  projection: lastReadProjection,
  change: (view, _book, config) => ({ lastRead: lastReadBooks(view, config.extra.size as number) }),
  routes: (deps, config) => lastReadRoutes(deps, config.extra.size as number),
};
