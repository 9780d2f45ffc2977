/** Starts the `shelf` gateway in this process, looking up services under the names a test gives. */
import { resolveConfig } from '../../bookshelf/adapters/cli/config.js';
import { shelfDefaults, startShelf } from '../../bookshelf/services/shelf.service.js';
import { send } from './books.js';
import { CONSUL, KAFKA } from './infra.js';
import { silentLogger } from './silent-logger.js';

export async function startTestShelf(names: { books?: string; booklist?: string; lastread?: string }, cli: Record<string, unknown> = {}) {
  const config = resolveConfig(shelfDefaults, {
    cli: {
      port: '0',
      broker: [KAFKA],
      consul: CONSUL,
      register: false,
      ...(names.books && { 'books-service': names.books }),
      ...(names.booklist && { 'booklist-service': names.booklist }),
      ...(names.lastread && { 'lastread-service': names.lastread }),
      ...cli,
    },
    env: {},
  });
  const service = await startShelf(config, { logger: silentLogger() });
  return {
    ...service,
    send: (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      send(service.url, method, path, body, headers),
  };
}
