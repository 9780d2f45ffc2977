/** The command routes of the `books` aggregate. */
import Router, { type RouterContext } from '@koa/router';
import type { Context } from 'koa';
import type { BookCommand } from '../../domain/book/book.commands.js';
import type { BookCommands, CommandAnswer } from '../../app/book-commands.js';
import { addBookCommand, bookId, idempotencyKey, newBookIdOf, rateBookCommand, requestFingerprint } from './book-requests.js';
import type { RouteToOwner } from './owner-routing.js';
import { POSITION_HEADER } from './read-your-writes.middleware.js';

/** `route`, when several instances share the topic, sends a command for a book this one does not own to its owner. */
export function booksRoutes(commands: BookCommands, newId: () => string, route?: RouteToOwner): Router {
  const router = new Router();

  async function execute(ctx: Context, command: BookCommand): Promise<CommandAnswer> {
    const key = idempotencyKey(ctx.headers['idempotency-key']);
    const answer =
      key === undefined
        ? await commands.execute(command)
        : await commands.execute(
            command,
            key,
            requestFingerprint(ctx.method, ctx.path, ctx.request.body, (ctx.request as { rawBody?: string }).rawBody),
          );
    if (answer.position !== null) ctx.set(POSITION_HEADER, answer.position);
    if (answer.replayed) ctx.set('Idempotent-Replayed', 'true');
    return answer;
  }

  const noContent = (command: (ctx: RouterContext) => BookCommand) => async (ctx: RouterContext) => {
    if (route && (await route(ctx, bookId(ctx.params.id!)))) return;
    await execute(ctx, command(ctx));
    ctx.status = 204;
  };

  router.post('/books', async (ctx) => {
    const known = newBookIdOf(ctx.request.body, idempotencyKey(ctx.headers['idempotency-key']));
    if (route && (await route(ctx, known))) return;
    const answer = await execute(
      ctx,
      addBookCommand(ctx.request.body, () => known ?? newId()),
    );
    const { id, ...book } = answer.book!;
    ctx.status = 201;
    ctx.set('Location', `/books/${encodeURIComponent(id)}`);
    ctx.body = { id, ...book, position: answer.position };
  });
  router.post(
    '/books/:id/started',
    noContent((ctx) => ({ type: 'start-book', data: { id: bookId(ctx.params.id!) } })),
  );
  router.post(
    '/books/:id/finished',
    noContent((ctx) => ({ type: 'finish-book', data: { id: bookId(ctx.params.id!) } })),
  );
  router.put(
    '/books/:id/rating',
    noContent((ctx) => rateBookCommand(bookId(ctx.params.id!), ctx.request.body)),
  );
  router.delete(
    '/books/:id',
    noContent((ctx) => ({ type: 'remove-book', data: { id: bookId(ctx.params.id!) } })),
  );
  return router;
}
