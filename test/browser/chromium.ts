import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { REPO_ROOT } from '#scripts/local/lambda-runtime';

/** Debian's Chromium, which .ci/run installs (a test tool's own browser download fails here). */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs it`);

/** Headless, and without the background connections this machine's closed network refuses. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const AXE_FILE = join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/**
 * axe-core's WCAG 2.1 A and AA rules, run inside the page as it is: the violations, by rule and element.
 * axe is added from the file, or from a URL where the page's CSP allows only its own origin's scripts.
 */
export async function accessibilityViolations(page: Page, axe: { path: string } | { url: string } = { path: AXE_FILE }): Promise<string[]> {
  await page.addScriptTag(axe);
  const result = await page.evaluate(async () => {
    const run = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return run.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`));
}

/**
 * Chromium for a test file: launched before its tests (when installed), closed after them; every page it
 * opens reports script errors, and the file fails if any page threw. Screenshots go to `shots`.
 */
export function useChromium(): {
  shots: string;
  newPage: (options?: BrowserContextOptions) => Promise<Page>;
  signedInPage: (token: string, width?: number, options?: BrowserContextOptions) => Promise<Page>;
} {
  const shots = join(REPO_ROOT, 'test-results', 'screenshots');
  let browser: Browser | undefined;
  const errors: string[] = [];
  beforeAll(async () => {
    if (!chromiumAvailable) return;
    mkdirSync(shots, { recursive: true });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    expect(errors).toEqual([]);
  });
  const newPage = async (options: BrowserContextOptions = {}) => {
    const page = await browser!.newPage({ viewport: { width: 360, height: 900 }, ...options });
    page.on('pageerror', (error) => errors.push(error.message));
    return page;
  };
  return {
    shots,
    newPage,
    /** A page whose session already holds the token, as after signing in. */
    signedInPage: async (token, width = 360, options = {}) => {
      const page = await newPage({ viewport: { width, height: 900 }, ...options });
      await page.addInitScript((value) => sessionStorage.setItem('capacity-tracker-token', value), token);
      return page;
    },
  };
}
