import { TokenCipher } from '@snaptrack/util-crypto';
import type { Logger } from '@snaptrack/util-logger';
import { TEST_TOKEN_KEYS, waitFor } from '@snaptrack/util-testing';
import { conversion, newPixel, pixelEntity } from '../../test/factories';
import { loadDispatcherConfig } from '../config';
import { toPixelPlacement, type ConfigViewService } from '../config-view/config-view.service';
import type { ClaimedRow, DeliveryService } from '../delivery/delivery.service';
import type { SnapCapiClient, SnapSendResult } from '../snap-capi/client';
import { Sender, leaseDeadline } from './sender';

/**
 * Recording Snapchat's answer is retried while the database is away, but never past the rows' lease: after
 * `lease_until` another instance may claim the rows and send them again. Stubs only (no database, no HTTP), so the
 * timing is exact: the lease is refreshed right before the request, and the answer takes most of the lease.
 */
describe('Sender: recording an answer gives up when the rows’ lease ends', () => {
  const LEASE_MS = 1500;
  const ANSWER_MS = 1000;

  it('leaseDeadline is the earliest lease end among the rows (unknown rows count as ended)', () => {
    const claim = {
      leaseUntil: new Map([
        ['1', 5000],
        ['2', 4000],
      ]),
    };
    expect(leaseDeadline(claim, [{ id: '1' }, { id: '2' }])).toBe(4000);
    expect(leaseDeadline(claim, [{ id: '1' }])).toBe(5000);
    expect(leaseDeadline(claim, [{ id: '1' }, { id: '3' }])).toBe(0);
  });

  it('stops retrying mark() at lease_until, not at "answer time + lease"', async () => {
    const acc = 'acc_lease';
    const p = newPixel();
    const entity = pixelEntity({
      accountId: acc,
      pixelId: p.pixelId,
      token: p.token,
      placement: { kind: 'offer', offer_id: 'of_lease' },
      mapping: { ct_lead: 'SIGN_UP' },
    });
    const placement = toPixelPlacement({ id: entity.id, account_id: acc, data: entity.data })!;
    const conv = conversion({ accountId: acc, channelId: 'tc_custom', offerId: 'of_lease' });
    const row = {
      id: '1',
      conversion_id: conv.conversion_id,
      pixel_id: p.pixelId.toLowerCase(),
      account_id: acc,
      status: 'sending',
      attempts: 1,
      next_attempt_at: null,
      event_id: conv.event_id,
      event_name: 'SIGN_UP',
      http_status: null,
      reason_code: null,
      message: null,
      placements: ['offer'],
      test_mode: false,
      command_id: null,
      revision: 1,
      cycle_started_at: new Date(),
      delivered_at: null,
      updated_at: new Date(),
      conversion: conv,
    } as ClaimedRow;

    let refreshedAt = 0;
    const markCalls: number[] = [];
    let claimed = false;
    const service = {
      duePixels: async () => (claimed ? [] : [{ account_id: acc, pixel_id: row.pixel_id }]),
      claim: async (_a: string, _p: string, _l: number, _i: number, _lease: number, claimId: string) => {
        if (claimed) return { claimId, rows: [] };
        claimed = true;
        return { claimId, rows: [row] };
      },
      refreshLease: async (_c: string, ids: string[]) => {
        refreshedAt = Date.now();
        return new Set(ids.map(String));
      },
      mark: async () => {
        markCalls.push(Date.now());
        throw new Error('Connection terminated unexpectedly');
      },
      release: async () => undefined,
      releaseClaim: async () => 0,
      activePauses: async () => new Map<string, number>(),
      cleanupPauses: async () => undefined,
      waitingRows: async () => [],
    } as unknown as DeliveryService;
    const configView = {
      pixelsFor: async () => [placement],
      offers: async () => new Map(),
    } as unknown as ConfigViewService;
    const client = {
      send: async (): Promise<SnapSendResult> => {
        await new Promise((r) => setTimeout(r, ANSWER_MS));
        return { httpStatus: 200, status: 'VALID', reason: null, eventErrors: [] };
      },
    } as unknown as SnapCapiClient;
    const errors: Array<{ at: number; msg: string }> = [];
    const log: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (msg) => errors.push({ at: Date.now(), msg }),
      child: () => log,
    };
    const config = loadDispatcherConfig(
      { TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_KEYS, LOG_LEVEL: 'error' },
      { requestTimeoutMs: 1200, sendLeaseMs: LEASE_MS, lingerMs: 0, senderPollMs: 50, rateLimitPerToken: 0 },
    );
    const sender = new Sender({
      service,
      configView,
      client,
      cipher: new TokenCipher(TEST_TOKEN_KEYS),
      log,
      config,
      lock: { instanceNo: 1, held: true },
    });
    sender.start();
    try {
      await waitFor(() => errors.some((e) => e.msg.startsWith('could not record')), {
        what: 'the sender to give up recording the answer',
        timeoutMs: 10000,
        intervalMs: 10,
      });
    } finally {
      await sender.stop();
    }
    expect(refreshedAt).toBeGreaterThan(0);
    const leaseEnd = refreshedAt + LEASE_MS;
    expect(markCalls.length).toBeGreaterThanOrEqual(2);
    // Every write attempt happened while the lease still held; with "answer time + lease" they went on ~1 s longer.
    expect(Math.max(...markCalls)).toBeLessThanOrEqual(leaseEnd);
    expect(errors.find((e) => e.msg.startsWith('could not record'))!.at).toBeLessThanOrEqual(leaseEnd + 50);
  });
});
