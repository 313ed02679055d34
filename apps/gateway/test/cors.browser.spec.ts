import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { startTestGateway } from './harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A minimal admin UI: one page that runs one query through the gateway and prints the answer (or the error). */
const PAGE = `<!doctype html><html><body><pre id="out">running</pre><script>
const params = new URLSearchParams(location.search);
fetch(params.get('gw') + '/graphql', {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer ' + params.get('key') },
  body: JSON.stringify({ query: '{ viewer { accountName } }' }),
})
  .then((r) => r.json())
  .then((j) => { document.getElementById('out').textContent = 'ok ' + JSON.stringify(j); })
  .catch((e) => { document.getElementById('out').textContent = 'refused ' + e.name; });
</script></body></html>`;

async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('a browser UI on another origin (real headless Chromium, CORS allow-list)', () => {
  let allowed: Awaited<ReturnType<typeof pageServer>>;
  let other: Awaited<ReturnType<typeof pageServer>>;
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  let browser: Browser;
  let apiKey: string;

  beforeAll(async () => {
    allowed = await pageServer();
    other = await pageServer();
    gw = await startTestGateway({ corsAllowedOrigins: [allowed.origin] });
    apiKey = (await gw.accounts.createAccount('Browser UI Co')).key.apiKey;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await gw?.dropDb();
    for (const s of [allowed, other]) if (s) await new Promise((r) => s.server.close(r));
  });

  async function runFrom(origin: string): Promise<string> {
    const page = await browser.newPage();
    try {
      const q = new URLSearchParams({ gw: gw.url.replace(/\/graphql$/, '').replace(/\/$/, ''), key: apiKey });
      await page.goto(`${origin}/?${q}`);
      await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'running', undefined, {
        timeout: 30000,
      });
      return (await page.textContent('#out')) ?? '';
    } finally {
      await page.close();
    }
  }

  it('a page from an allowed origin runs a query through the gateway (preflight included)', async () => {
    const out = await runFrom(allowed.origin);
    expect(out).toMatch(/^ok /);
    const body = JSON.parse(out.slice(3));
    expect(body.data).toEqual({ viewer: { accountName: 'Browser UI Co' } });
    expect(body.errors).toBeUndefined();
  });

  it('a page from an origin that is not on the list is refused by the browser', async () => {
    expect(await runFrom(other.origin)).toBe('refused TypeError');
  });
});
