import { createServer, type Server } from 'node:net';
import { Socket } from 'node:net';
import { Agent, get as httpGet } from 'node:http';
import { Readiness } from './readiness';
import { buildHandler, listen } from './http';

/** A TCP "dependency" check: connects to host:port, true once connected. */
const tcpCheck = (port: number) => () =>
  new Promise<boolean>((resolve) => {
    const s = new Socket();
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.connect(port, '127.0.0.1');
  });

async function closedPort(): Promise<number> {
  const srv: Server = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('Readiness', () => {
  it('answers not ready, naming the check, when a dependency port is closed', async () => {
    const open: Server = createServer();
    await new Promise<void>((r) => open.listen(0, '127.0.0.1', () => r()));
    const openPort = (open.address() as { port: number }).port;
    const r = new Readiness([
      { name: 'database', check: tcpCheck(await closedPort()) },
      { name: 'kafka', check: tcpCheck(openPort) },
    ]);
    expect(await r.evaluate()).toEqual({
      ready: false,
      body: { status: 'not_ready', checks: { database: false, kafka: true }, not_ready: ['database'] },
    });
    open.close();
  });

  it('counts a check that hangs past its timeout as not ready', async () => {
    const r = new Readiness([{ name: 'database', check: () => new Promise<boolean>(() => undefined), timeoutMs: 50 }]);
    const started = Date.now();
    const answer = await r.evaluate();
    expect(answer.ready).toBe(false);
    expect(answer.body.not_ready).toEqual(['database']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('counts a rejecting check as not ready', async () => {
    const r = new Readiness([{ name: 'x', check: () => Promise.reject(new Error('down')) }]);
    expect((await r.evaluate()).body).toEqual({ status: 'not_ready', checks: { x: false }, not_ready: ['x'] });
  });

  it('reuses an answer within cacheMs and shares one run between concurrent probes', async () => {
    let t = 1000;
    let runs = 0;
    let up = true;
    const r = new Readiness(
      [
        {
          name: 'database',
          check: async () => {
            runs++;
            await new Promise((res) => setTimeout(res, 20));
            return up;
          },
          cacheMs: 1000,
        },
      ],
      () => t,
    );
    await Promise.all([r.evaluate(), r.evaluate(), r.evaluate()]);
    expect(runs).toBe(1);
    up = false;
    t += 500;
    expect((await r.evaluate()).ready).toBe(true);
    expect(runs).toBe(1);
    t += 600;
    expect((await r.evaluate()).ready).toBe(false);
    expect(runs).toBe(2);
  });

  it('reports a check with required: false without failing on it', async () => {
    const r = new Readiness([
      { name: 'database', check: async () => true },
      { name: 'kafka', check: async () => false, required: false },
    ]);
    expect(await r.evaluate()).toEqual({
      ready: true,
      body: { status: 'ready', checks: { database: true, kafka: false } },
    });
  });

  it('answers shutting_down once drained, whatever the checks say', async () => {
    const r = new Readiness([{ name: 'database', check: async () => true }]);
    expect((await r.evaluate()).ready).toBe(true);
    r.drain();
    expect(await r.evaluate()).toEqual({
      ready: false,
      body: {
        status: 'not_ready',
        checks: { database: true, shutting_down: false },
        not_ready: ['shutting_down'],
      },
    });
  });
});

describe('/readyz and close()', () => {
  it('answers 503 with what is not ready, and drains before the server stops accepting', async () => {
    let up = true;
    const http = await listen(
      buildHandler(
        [
          {
            method: 'GET',
            path: '/slow',
            handler: async (_req, res) => {
              await new Promise((r) => setTimeout(r, 300));
              res.end('done');
            },
          },
        ],
        { probes: [{ name: 'database', check: async () => up, cacheMs: 0 }] },
      ),
      0,
    );
    expect((await fetch(`${http.url}/readyz`)).status).toBe(200);
    up = false;
    const down = await fetch(`${http.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'not_ready', checks: { database: false }, not_ready: ['database'] });
    up = true;
    expect((await fetch(`${http.url}/readyz`)).status).toBe(200);

    // A request in flight when close() starts is still answered (with `connection: close` on a keep-alive
    // connection), new connections are refused, and close() resolves once it is answered, not a keep-alive timeout
    // later.
    const agent = new Agent({ keepAlive: true });
    const get = () =>
      new Promise<[number | undefined, string | undefined, string]>((resolve, reject) =>
        httpGet(`${http.url}/slow`, { agent }, (r) => {
          let body = '';
          r.on('data', (d: Buffer) => (body += d.toString()));
          r.on('end', () => resolve([r.statusCode, r.headers.connection, body]));
        }).on('error', reject),
      );
    expect(await get()).toEqual([200, 'keep-alive', 'done']);
    const inFlight = get();
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const closing = http.close();
    await expect(fetch(`${http.url}/readyz`)).rejects.toThrow();
    expect(await inFlight).toEqual([200, 'close', 'done']);
    await closing;
    expect(Date.now() - started).toBeLessThan(2000);
    agent.destroy();
  });
});
