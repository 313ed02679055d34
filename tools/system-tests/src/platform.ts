import { randomBytes } from 'node:crypto';

const { startPlatform, devAccount, dropPlatformDatabases } = require('../../scripts/platform.js');

export interface Platform {
  gatewayUrl: string;
  trackingUrl: string;
  sandboxUrl: string;
  apiKey: string;
  accountId: string;
  topicPrefix: string;
  /** The launcher options (ports, database and topic prefixes) of this platform. */
  launch: Record<string, unknown>;
  logs: string[];
  /** The launcher's handle: `procs` (name, child) and `restart(name, { signal, downMs })`. */
  handle: { procs: Array<{ name: string; child: { pid?: number } }>; restart: (name: string) => Promise<unknown> };
  stop(): Promise<void>;
}

export interface SystemOptions {
  /** Instances per scalable service (platform.js `instances`): a number or `{ [service]: n }`. */
  instances?: number | Record<string, number>;
  /** Added to every service's environment. */
  env?: Record<string, string>;
}

/**
 * Every service as a child process (the same launcher `npm start` uses), on its own ports, databases and topic prefix,
 * so it can run beside a developer's `npm start`.
 */
export async function startSystem(options: SystemOptions = {}): Promise<Platform> {
  // Below the kernel's ephemeral range (32768+), where outgoing connections take their local ports: a listening port
  // chosen there can be taken by any client socket of the machine. Instances use up to base + 207.
  const base = 20000 + Math.floor(Math.random() * 1200) * 10;
  const ports = {
    gateway: base,
    config: base + 1,
    campaign: base + 2,
    conversion: base + 3,
    dispatcher: base + 4,
    sandbox: base + 5,
    tracking: base + 6,
    account: base + 7,
  };
  const tag = randomBytes(3).toString('hex');
  const dbPrefix = `snaptrack_sys_${tag}`;
  const topicPrefix = `sys-${tag}.`;
  const logs: string[] = [];
  // As `npm start` does: the account is made once account-service is up, and the gateway's explorer (development)
  // opens with its key.
  let acc: { api_key: string; account_id: string } | undefined;
  const account = () => (acc ??= devAccount({ ports, dbPrefix, topicPrefix, fresh: true, name: 'System test' }));
  const platform = await startPlatform({
    ports,
    dbPrefix,
    topicPrefix,
    instances: options.instances,
    env: options.env,
    explorerApiKey: () => account().api_key,
    output: (name: string, line: string) => logs.push(`${name} ${line}`),
  }).catch((e: Error) => {
    throw new Error(`${e.message}\n--- last log lines ---\n${logs.slice(-40).join('\n')}`);
  });
  account();
  return {
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    trackingUrl: `http://127.0.0.1:${ports.tracking}`,
    sandboxUrl: `http://127.0.0.1:${ports.sandbox}`,
    apiKey: acc!.api_key,
    accountId: acc!.account_id,
    topicPrefix,
    launch: { ports, dbPrefix, topicPrefix },
    logs,
    handle: platform,
    stop: async () => {
      await platform.stop();
      await dropPlatformDatabases({ ports, dbPrefix, topicPrefix });
    },
  };
}
