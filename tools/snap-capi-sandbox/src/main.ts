// Runs the sandbox as a process: `node dist/main.js`. Config from env (see config.ts and README.md).

import { loadSandboxEnv } from './config';
import { startSandbox } from './sandbox';

function line(entry: Record<string, unknown>): void {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), service: 'snap-capi-sandbox', ...entry })}\n`,
  );
}

async function main(): Promise<void> {
  const { options, logRequests } = loadSandboxEnv(process.env);
  // Request lines are opt-in; handler errors are always printed.
  const sandbox = await startSandbox({
    ...options,
    log: (entry) => {
      if (logRequests || entry['level'] === 'error') line(entry);
    },
  });
  line({
    level: 'info',
    msg: 'listening',
    url: sandbox.url,
    strict_pixels: options.strictPixels,
    pixels: Object.keys(options.pixels),
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    sandbox.stop().then(
      () => {
        line({ level: 'info', msg: 'stopped', signal });
        process.exit(0);
      },
      (error: unknown) => {
        line({ level: 'error', msg: 'stop failed', error: error instanceof Error ? error.message : String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  line({ level: 'error', msg: 'failed to start', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
