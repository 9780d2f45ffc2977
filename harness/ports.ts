/** Ports for processes that must be told theirs, and whether something answers on one. */
import { createServer } from 'node:net';

export { portAnswers, portIsFree } from '../bookshelf/launcher/ports.js';

/** A port free right now (the system's choice for port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
