/** The last read books, most recent first. */
import { lastReadBooks, lastReadChanged, lastReadProjection, type LastReadView } from '../domain/projections/last-read.projection.js';
import { integer, option, optionValues } from '../adapters/cli/options.js';
import type { ServiceConfig } from '../adapters/cli/config.js';
import { lastReadRoutes } from '../adapters/http/last-read.routes.js';
import type { ViewDefinition } from './view-service.js';
import { snapshotOptions } from '../adapters/cli/snapshot-options.js';

const sizeOption = option({
  flag: 'size',
  type: 'number',
  env: 'BOOKSHELF_SIZE',
  default: 5,
  describe: 'how many books GET / lists',
  parse: integer(1, 1000),
});
const sizeOf = (config: ServiceConfig): number => optionValues([sizeOption], config.extra).size;

export const lastReadView: ViewDefinition<LastReadView> = {
  defaults: {
    entry: 'last-read',
    role: 'view',
    name: 'lastreadbooks',
    port: 8087,
    tags: ['books', 'last'],
    describe: 'View: the last read books, most recent first.',
    options: [sizeOption, ...snapshotOptions],
  },
  projection: lastReadProjection,
  changed: lastReadChanged,
  change: (config) => {
    const size = sizeOf(config);
    return (view) => ({ lastRead: lastReadBooks(view, size) });
  },
  routes: (deps, config) => lastReadRoutes(deps, sizeOf(config)),
};
