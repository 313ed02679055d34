import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  KAFKA_BROKERS,
  TEST_INTERNAL_SECRET,
  createTestDatabase,
  uniqueTopicPrefix,
  waitFor,
} from '@snaptrack/util-testing';

/**
 * CAMPAIGN_WORKERS=2: the built dist/main.js as a primary with two node:cluster workers on one port. A worker that
 * dies is replaced; SIGTERM stops the workers and the primary exits 0.
 */
const REPO = path.resolve(__dirname, '../../..');
const MAIN = path.join(REPO, 'apps/campaign-service/dist/main.js');

const workersOf = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)])
      .toString()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('campaign-service with CAMPAIGN_WORKERS=2 (node:cluster)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let primary: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    execFileSync(path.join(REPO, 'node_modules/.bin/tsc'), ['-b', 'apps/campaign-service'], { cwd: REPO });
    db = await createTestDatabase('campaign');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    primary = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        CAMPAIGN_WORKERS: '2',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        KAFKA_BROKERS: KAFKA_BROKERS.join(','),
        KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
        INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    primary.stdout?.on('data', (d) => (output += d));
    primary.stderr?.on('data', (d) => (output += d));
    await waitFor(() => output.includes('campaign-service workers ready'), {
      timeoutMs: 120_000,
      what: 'both workers to be ready',
    });
  }, 180_000);

  afterAll(async () => {
    if (primary && primary.exitCode === null) primary.kill('SIGKILL');
    await db?.drop();
  });

  it('serves on one port from two worker processes', async () => {
    expect(workersOf(primary.pid!)).toHaveLength(2);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    // An unknown campaign key answers 404 from whichever worker takes the connection.
    expect((await fetch(`${url}/NoSuchKey0123`, { redirect: 'manual' })).status).toBe(404);
  });

  it('replaces a worker that dies', async () => {
    const [victim, other] = workersOf(primary.pid!);
    process.kill(victim, 'SIGKILL');
    const replaced = await waitFor(
      () => {
        const now = workersOf(primary.pid!);
        return now.length === 2 && !now.includes(victim) ? now : null;
      },
      { timeoutMs: 60_000, what: 'a replacement worker' },
    );
    expect(replaced).toContain(other);
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs: 30_000 });
  }, 90_000);

  it('stops every worker on SIGTERM and exits 0', async () => {
    const workers = workersOf(primary.pid!);
    const exited = new Promise<number | null>((resolve) => primary.once('exit', (code) => resolve(code)));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);
});
