/** Every entry point by name, for bookshelf/bin. */
import { runMain } from './main.js';
import { startView } from './view-service.js';
import { lastReadView } from './last-read.service.js';

const views = { 'last-read': lastReadView } as const;

export async function runEntry(entry: string): Promise<void> {
  if (entry === 'kafka-topics') {
    const { main } = await import('./kafka-topics.js');
    process.exitCode = await main(process.argv.slice(2));
    return;
  }
  const view = views[entry as keyof typeof views];
  if (!view) throw new Error(`unknown entry ${entry}`);
  await runMain(view.defaults, (config, deps) => startView(view, config, deps));
}
