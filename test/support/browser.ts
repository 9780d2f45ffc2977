/** The system's Chromium (Debian's `chromium`), driven by playwright-core: no browser is downloaded. */
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';

export function chromiumPath(): string {
  const given = process.env.BOOKSHELF_CHROMIUM;
  if (given) return given;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // not this one
    }
  }
  throw new Error('no Chromium found: compose/install.sh tools installs Debian’s chromium (or set BOOKSHELF_CHROMIUM)');
}

export function launchBrowser(): Promise<Browser> {
  // --no-sandbox: tests run as root in CI, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A page that records what would show up red in the console: errors logged and uncaught exceptions. */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1200, height: 900 },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  // Which request a "Failed to load resource" was about.
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  await page.goto(url);
  await page.waitForFunction("document.getElementById('connection')?.dataset.state === 'live'", undefined, { timeout: 15_000 });
  return { page, errors };
}
