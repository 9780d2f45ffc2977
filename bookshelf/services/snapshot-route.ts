/** `GET /snapshot` of a log follower: behind the bearer token whenever one is set, reads guarded or not. */
import type Router from '@koa/router';
import { bearerAuth } from '../adapters/http/bearer-auth.middleware.js';
import { snapshotRoutes } from '../adapters/http/snapshot.routes.js';
import type { ServiceConfig } from '../adapters/cli/config.js';
import type { Snapshots } from '../app/snapshots.js';

export function snapshotRouter(config: ServiceConfig, snapshots: () => Snapshots | undefined): Router {
  const { token } = config.auth;
  const guard = token === undefined ? undefined : bearerAuth({ token, reads: true });
  return snapshotRoutes(
    {
      async current(options) {
        const current = snapshots();
        const name = await current?.current(options);
        return name === undefined || current === undefined ? undefined : { name, path: current.path(name) };
      },
    },
    guard,
  );
}
