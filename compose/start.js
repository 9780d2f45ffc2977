#!/usr/bin/env node
// `npm start`: the launcher is TypeScript (bookshelf/launcher/); this entry compiles it first when the build is stale.
import { builtLauncher, ensureBuilt, loadBuilt } from '../bookshelf/bin/launch.js';

await ensureBuilt();
const { startShelf } = await loadBuilt(builtLauncher());
startShelf(process.argv.slice(2), process.env);
