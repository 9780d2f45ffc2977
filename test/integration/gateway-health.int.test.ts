/** The gateway's own health says which services behind it have no passing instance. */
import { describe, expect, it } from 'vitest';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { createTopic, unique } from '../support/infra.js';
import { startTestShelf, startTestView } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const cleanup = cleanupAfterAll();

describe('the gateway /health', () => {
  it('is warn (429) and names the services with no passing instance, until each has one', async () => {
    const names = { books: unique('books'), booklist: unique('booklist'), lastread: unique('lastread') };
    const shelf = await startTestShelf(names);
    cleanup.push(() => shelf.stop());
    const health = await waitFor(async () => {
      const answer = await shelf.send('GET', '/health');
      return answer.body?.consul === 'reachable' && answer;
    });
    expect(health.status).toBe(429);
    expect(health.headers.get('content-type')).toMatch('application/health+json');
    expect(health.body).toMatchObject({ status: 'warn', noPassingInstance: [names.books, names.booklist, names.lastread] });

    const topic = unique('gw-health');
    await createTopic(topic, 1);
    const view = await startTestView(lastReadView, { topic, name: names.lastread, register: true, 'check-interval': '1s' });
    cleanup.push(() => view.stop());
    await waitFor(async () => !((await shelf.send('GET', '/health')).body?.noPassingInstance as string[]).includes(names.lastread), {
      what: 'last-read no longer named',
    });
    expect((await shelf.send('GET', '/health')).body).toMatchObject({ status: 'warn', noPassingInstance: [names.books, names.booklist] });
  });
});
