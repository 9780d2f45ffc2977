/** The bundles load string-width (yargs' and cliui's, for --help) on its first call, not as they load. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binDir, repoRoot } from '../../harness/repo-root.js';

/** Intl, with its Segmenter replaceable. */
const intl = Intl as { Segmenter: typeof Intl.Segmenter };

describe('string-width in a bundle', () => {
  let dir: string;
  const RealSegmenter = Intl.Segmenter;
  let segmenters = 0;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bookshelf-lazy-'));
    segmenters = 0;
    // string-width makes an Intl.Segmenter as it loads: counting them tells whether it has.
    intl.Segmenter = class extends RealSegmenter {
      constructor(...args: ConstructorParameters<typeof RealSegmenter>) {
        super(...args);
        segmenters++;
      }
    };
  });
  afterEach(() => {
    intl.Segmenter = RealSegmenter;
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads on its first call and measures as string-width does', async () => {
    // Given a bundle, made with the plugin, of a module that imports string-width
    const { lazyStringWidth } = (await import(join(binDir, 'build.js'))) as { lazyStringWidth: Plugin };
    const entry = join(dir, 'entry.mjs');
    writeFileSync(entry, "import stringWidth from 'string-width';\nexport const width = (text) => stringWidth(text);\n");
    const outfile = join(dir, 'out.cjs');
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      nodePaths: [join(repoRoot, 'node_modules')],
      plugins: [lazyStringWidth],
      logLevel: 'silent',
    });
    // When the bundle loads
    const { width } = createRequire(import.meta.url)(outfile) as { width: (text: string) => number };
    // Then string-width has not loaded yet
    expect(segmenters).toBe(0);
    // And when it is called, it loads once and measures wide characters as wide
    expect([width('abc'), width('古い本'), width('\u001b[1mbold\u001b[22m')]).toEqual([3, 6, 4]);
    expect(segmenters).toBe(1);
  });
});
