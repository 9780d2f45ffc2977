/** Every entry point by name, for bookshelf/bin. */
import { runMain } from './main.js';
import { startView, type ViewDefinition } from './view-service.js';
import { lastReadView } from './last-read.service.js';
import { listBooksView } from './list-books.service.js';
import { booksDefaults, startBooks } from './books.service.js';
import { shelfDefaults, startShelf } from './shelf.service.js';

const runView = <V>(view: ViewDefinition<V>): Promise<void> => runMain(view.defaults, (config, deps) => startView(view, config, deps));

const views: Record<string, () => Promise<void>> = {
  'last-read': () => runView(lastReadView),
  'list-books': () => runView(listBooksView),
};

export async function runEntry(entry: string): Promise<void> {
  if (entry === 'kafka-topics') {
    const { main } = await import('./kafka-topics.js');
    process.exitCode = await main(process.argv.slice(2));
    return;
  }
  if (entry === 'books') return runMain(booksDefaults, startBooks);
  if (entry === 'shelf') return runMain(shelfDefaults, startShelf);
  const view = views[entry];
  if (!view) throw new Error(`unknown entry ${entry}`);
  await view();
}
