import type { ConfigSpec } from '@snaptrack/util-config';

/**
 * `RETENTION_INTERVAL_MS` and `RETENTION_BATCH_SIZE`: the `RetentionJob` options of every service that deletes expired
 * rows (spread into its config spec; the service declares the age key of its own rules next to them).
 */
export const retentionKeys = {
  retentionIntervalMs: {
    env: 'RETENTION_INTERVAL_MS',
    doc: 'How often the retention job deletes expired rows',
    format: 'duration-ms',
    default: '3600000',
  },
  retentionBatchSize: {
    env: 'RETENTION_BATCH_SIZE',
    doc: 'Rows per DELETE of the retention job (each batch is its own short transaction)',
    format: 'int',
    default: '1000',
  },
} as const satisfies ConfigSpec;

/** Problems of the retention keys, for the service's ConfigError (empty when both are in range). */
export function retentionProblems(config: { retentionIntervalMs: number; retentionBatchSize: number }): string[] {
  const problems: string[] = [];
  if (config.retentionIntervalMs < 1000) problems.push('RETENTION_INTERVAL_MS must be at least 1000');
  if (config.retentionBatchSize < 1 || config.retentionBatchSize > 100000)
    problems.push('RETENTION_BATCH_SIZE must be from 1 to 100000');
  return problems;
}
