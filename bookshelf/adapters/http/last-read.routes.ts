/** The read route of the last-read view: `GET /`, the most recently read books first. */
import { lastReadBooks, type LastReadView } from '../../domain/projections/last-read.projection.js';
import { fixedRoutes } from './fixed-routes.js';
import type { ViewRoutes, ViewRoutesDeps } from './view-routes.js';

export function lastReadRoutes({ reader, positions }: ViewRoutesDeps<LastReadView>, size: number): ViewRoutes {
  const build = (view: LastReadView) => lastReadBooks(view, size);
  return {
    fixed: fixedRoutes(
      {
        '/': () => reader.json('last-read', build),
      },
      { around: positions.serve },
    ),
  };
}
