// Environment for `main.ts`. Pure: takes an env object, returns SandboxOptions or throws one error naming
// every bad key. Token values never appear in an error message.

import { parsePixelList } from './pixels';
import type { SandboxOptions } from './sandbox';

export const DEFAULT_PORT = 4010;

export interface SandboxEnvConfig {
  options: SandboxOptions & { port: number; host: string; pixels: Record<string, string>; strictPixels: boolean };
  logRequests: boolean;
}

function flag(name: string, value: string | undefined, problems: string[]): boolean {
  if (value === undefined || value === '') return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  problems.push(`${name} must be "true" or "false"`);
  return false;
}

export function loadSandboxEnv(env: Record<string, string | undefined>): SandboxEnvConfig {
  const problems: string[] = [];

  let port = DEFAULT_PORT;
  if (env['SANDBOX_PORT'] !== undefined && env['SANDBOX_PORT'] !== '') {
    port = Number(env['SANDBOX_PORT']);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      problems.push('SANDBOX_PORT must be an integer from 0 to 65535');
  }
  const host = env['SANDBOX_HOST'] || '127.0.0.1';

  let pixels: Record<string, string> = {};
  try {
    pixels = parsePixelList(env['SANDBOX_PIXELS']);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const strictPixels = flag('SANDBOX_STRICT_PIXELS', env['SANDBOX_STRICT_PIXELS'], problems);
  const logRequests = flag('SANDBOX_LOG_REQUESTS', env['SANDBOX_LOG_REQUESTS'], problems);

  let maxBodyBytes: number | undefined;
  if (env['SANDBOX_MAX_BODY_BYTES'] !== undefined && env['SANDBOX_MAX_BODY_BYTES'] !== '') {
    maxBodyBytes = Number(env['SANDBOX_MAX_BODY_BYTES']);
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1)
      problems.push('SANDBOX_MAX_BODY_BYTES must be a positive integer');
  }

  if (problems.length > 0) throw new Error(`invalid sandbox configuration: ${problems.join('; ')}`);
  return {
    options: { port, host, pixels, strictPixels, ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}) },
    logRequests,
  };
}
