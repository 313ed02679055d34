import { loadConfig } from '@snaptrack/util-config';
import { retentionKeys, retentionProblems } from './retention-keys';

describe('retentionKeys', () => {
  it('defaults to one pass an hour, 1000 rows a batch, which are in range', () => {
    const config = loadConfig(retentionKeys, {});
    expect(config).toEqual({ retentionIntervalMs: 3600000, retentionBatchSize: 1000 });
    expect(retentionProblems(config)).toEqual([]);
  });

  it('names each key out of range', () => {
    expect(retentionProblems({ retentionIntervalMs: 999, retentionBatchSize: 0 })).toEqual([
      'RETENTION_INTERVAL_MS must be at least 1000',
      'RETENTION_BATCH_SIZE must be from 1 to 100000',
    ]);
    expect(retentionProblems({ retentionIntervalMs: 1000, retentionBatchSize: 100001 })).toEqual([
      'RETENTION_BATCH_SIZE must be from 1 to 100000',
    ]);
  });
});
