import { chromium, type Browser } from 'playwright-core';
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
