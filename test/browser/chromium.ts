import { existsSync } from 'node:fs';
import { type Browser, type ConsoleMessage, chromium, type Locator, type Page } from 'playwright-core';

/** Debian's chromium (never a downloaded browser); CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** Launches headless chromium, or fails loudly: a browser test must never pass because there was no browser. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM_PATH} and it is missing. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (or set CHROMIUM_PATH); never `npx playwright install`.',
    );
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
  } catch (error) {
    throw new Error(`Chromium at ${CHROMIUM_PATH} did not start (reinstall with \`apt-get install -y chromium\`): ${(error as Error).message}`);
  }
}

export interface PageProblems {
  /** Console errors and warnings, including "Refused to … because it violates the … Content Security Policy". */
  console: string[];
  /** Content Security Policy violations only (a subset of `console`). */
  csp: string[];
  /** Uncaught script errors. */
  pageErrors: string[];
  /** Requests that failed outright (blocked, aborted) or answered 4xx/5xx, except the ones a test expects. */
  failedRequests: string[];
}

/** Records everything a page does wrong; `expectedStatus(url, status)` marks error answers the test itself provokes. */
export function watchPage(page: Page, expectedStatus: (url: string, status: number) => boolean = () => false): PageProblems {
  const tolerated = (url: string, status: number) => expectedStatus(url, status);
  const problems: PageProblems = { console: [], csp: [], pageErrors: [], failedRequests: [] };
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    // Chromium logs every 4xx/5xx answer as "Failed to load resource"; the ones the test provokes are fine.
    const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(message.text())?.[1];
    if (status && tolerated(message.location().url, Number(status))) return;
    const line = `${message.type()}: ${message.text()} (${message.location().url})`;
    problems.console.push(line);
    if (/Content Security Policy/i.test(message.text())) problems.csp.push(line);
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('requestfailed', (req) => problems.failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400 && !tolerated(res.url(), res.status())) problems.failedRequests.push(`${res.request().method()} ${res.url()}: ${res.status()}`);
  });
  return problems;
}

/** An element's computed background colour (the project's TypeScript has no DOM lib, hence the window lookup). */
export function backgroundColorOf(locator: Locator): Promise<string> {
  return locator.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor as string);
}

/** After each step, in every browser watched: nothing the CSP refused, nothing failed to load, no console errors. */
export function expectQuietPages(problems: Record<string, PageProblems>): void {
  for (const [who, seen] of Object.entries(problems)) {
    expect([who, seen]).toEqual([who, { console: [], csp: [], pageErrors: [], failedRequests: [] }]);
  }
}
