import { chromium, type Browser, type Page } from 'playwright-core';
import { TEST_INTERNAL_SECRET } from '@snaptrack/util-testing';
import { loadGatewayConfig } from '../src/config';
import { startGateway } from '../src/server';
import { startTestGateway } from './harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('GraphQL explorer in a real headless Chromium (offline assets)', () => {
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  let browser: Browser;
  let apiKey: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    apiKey = (await gw.accounts.createAccount('Explorer Co')).key.apiKey;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await gw?.dropDb();
  });

  /** Replaces the query in the editor, runs it and returns the response pane's text once it contains `expected`. */
  async function run(page: Page, query: string, expected: string): Promise<string> {
    await page.locator('.graphiql-query-editor .CodeMirror').first().click();
    await page.evaluate((q) => {
      const cm = (
        document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as {
          CodeMirror: { setValue(v: string): void };
        }
      ).CodeMirror;
      cm.setValue(q);
    }, query);
    await page.locator('button.graphiql-execute-button').click();
    await page.waitForFunction(
      (text) => document.querySelector('.graphiql-response')?.textContent?.includes(text),
      expected,
      { timeout: 30000 },
    );
    return page.locator('.graphiql-response').innerText();
  }

  it('development with EXPLORER_DEFAULT_API_KEY: the headers start with that key, a first query works', async () => {
    const devGw = await startGateway(
      loadGatewayConfig(
        { INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET, LOG_LEVEL: 'error', NODE_ENV: 'development' },
        {
          port: 0,
          accountServiceUrl: `${gw.accountService.url}/graphql`,
          configServiceUrl: 'http://127.0.0.1:9/graphql',
          campaignServiceUrl: 'http://127.0.0.1:9/graphql',
          conversionServiceUrl: 'http://127.0.0.1:9/graphql',
          explorerDefaultApiKey: apiKey,
        },
      ),
    );
    try {
      const init = await fetch(`${devGw.url}/explorer/assets/init.js`);
      expect(init.headers.get('cache-control')).toBe('no-store');
      expect(await init.text()).toContain(`Bearer ${apiKey}`);
      const context = await browser.newContext(); // fresh storage: nothing typed before
      const page = await context.newPage();
      await page.goto(`${devGw.url}/explorer`);
      await page.waitForSelector('.graphiql-container', { timeout: 30000 });
      // No header typed: the prefilled key is in the headers editor and the query runs with it.
      const headersText = await page.evaluate(
        () =>
          (
            document.querySelector('.graphiql-editor-tool .graphiql-editor[aria-label="Headers"] .CodeMirror') ??
            document.querySelectorAll('.graphiql-editor-tool .CodeMirror')[1]
          )?.textContent ?? '',
      );
      expect(headersText).toContain(`Bearer ${apiKey}`);
      expect(await run(page, '{ viewer { accountName } }', 'Explorer Co')).toContain('"accountName": "Explorer Co"');
      expect(await run(page, '{ viewer { accountId } }', 'accountId')).not.toContain('UNAUTHENTICATED');
      await context.close();
    } finally {
      await devGw.stop();
    }
  });

  it('without the key the explorer has a placeholder; in production there is no explorer', async () => {
    const text = await (await fetch(`${gw.url}/explorer/assets/init.js`)).text();
    expect(text).toContain('<your API key>');
    expect(text).not.toContain(apiKey);
    const prodGw = await startGateway(
      loadGatewayConfig(
        { INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET, LOG_LEVEL: 'error', NODE_ENV: 'production' },
        { port: 0, accountServiceUrl: `${gw.accountService.url}/graphql` },
      ),
    );
    try {
      expect((await fetch(`${prodGw.url}/explorer`)).status).toBe(404);
      expect((await fetch(`${prodGw.url}/explorer/assets/init.js`)).status).toBe(404);
    } finally {
      await prodGw.stop();
    }
  });

  it('loads from the gateway only, runs a query with the API key and shows the result', async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(gw.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
        foreign.push(r.url());
    });
    // Offline: every request that would leave the gateway fails.
    await page.route(
      (url) => !url.href.startsWith(gw.url) && url.protocol.startsWith('http'),
      (route) => route.abort(),
    );
    await page.addInitScript(
      (headers) => localStorage.setItem('snaptrack.explorer.headers', headers),
      JSON.stringify({ Authorization: `Bearer ${apiKey}` }),
    );
    await page.goto(`${gw.url}/explorer`);
    await page.waitForSelector('.graphiql-container', { timeout: 30000 });

    // Replace the query in the editor, then run it.
    const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
    await editor.click();
    await page.evaluate(() => {
      const cm = (
        document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as {
          CodeMirror: { setValue(v: string): void };
        }
      ).CodeMirror;
      cm.setValue('{ viewer { accountName } }');
    });
    await page.locator('button.graphiql-execute-button').click();
    await page.waitForFunction(
      () => document.querySelector('.graphiql-response')?.textContent?.includes('Explorer Co'),
      undefined,
      { timeout: 30000 },
    );
    const response = await page.locator('.graphiql-response').innerText();
    expect(response).toContain('"accountName": "Explorer Co"');
    expect(foreign).toEqual([]);
  });
});
