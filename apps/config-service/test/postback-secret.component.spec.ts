import { createHash, randomUUID } from 'node:crypto';
import { createDataSource } from '@snaptrack/util-db';
import { CreateOutbox1764400000000, OutboxMessage } from '@snaptrack/data-access-outbox';
import { captureLogs, createTestDatabase } from '@snaptrack/util-testing';
import { migrations } from '../src/migrations';
import { CreateConfigSchema1764500000000 } from '../src/migrations/1764500000000-create-config-schema';
import { startTestConfigService, type TestConfigService } from './harness';
import { fails, ok, responses } from './gql';

const newAccountId = () => `acc-${randomUUID()}`;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

const FIELDS = `id hasPostbackSecret postbackSecretHint postbackSecret postbackUrl acceptUnsignedPostbacks isOpen
  postbackSecurity previousPostbackSecretExpiresAt hasPostbackToken version`;
const CREATE = `mutation($input: CreateOfferSourceInput!) { createOfferSource(input: $input) { ${FIELDS} } }`;
const ROTATE =
  `mutation($id: ID!, $h: Int) { rotatePostbackSecret(offerSourceId: $id, overlapHours: $h) { ` + `${FIELDS} } }`;
const UPDATE =
  `mutation($id: ID!, $input: UpdateOfferSourceInput!) { updateOfferSource(id: $id, input: $input) ` +
  `{ ${FIELDS} } }`;
const READ = `query($id: ID!) { offerSource(id: $id) { ${FIELDS} } }`;

/** Postback secrets: generated at creation, shown once, stored as a hash, rotated with an overlap. */
describe('offer source postback secrets', () => {
  let app: TestConfigService;
  const acc = newAccountId();
  const row = async (id: string) =>
    (
      await app.ds.query(
        `SELECT postback_token_sha256, postback_token_hint, previous_postback_token_sha256,
           previous_postback_token_expires_at, accept_unsigned_postbacks FROM offer_source WHERE id = $1`,
        [id],
      )
    )[0];
  const published = async (id: string) =>
    (
      await app.ds.query(`SELECT payload FROM outbox_message WHERE key = $1 ORDER BY id DESC LIMIT 1`, [
        `offer_source:${id}`,
      ])
    )[0]?.payload;

  beforeAll(async () => {
    app = await startTestConfigService({ postbackSecretOverlapHours: 6 });
  });
  afterAll(async () => {
    await app?.stop();
    await app?.dropDb();
  });

  it(
    'gives every new offer source a random secret, once, in the answer and its postback URL; only a ' + 'hash is kept',
    async () => {
      const logs = captureLogs();
      let s: any;
      try {
        s = (await ok(app.url, acc, CREATE, { input: { name: 'Net A' } })).createOfferSource;
      } finally {
        logs.restore();
      }
      expect(s.postbackSecret).toMatch(/^pbs_[A-Za-z0-9_-]{32}$/); // 24 random bytes = 192 bits, url-safe
      expect(s).toMatchObject({
        hasPostbackSecret: true,
        hasPostbackToken: true,
        postbackSecretHint: `****${s.postbackSecret.slice(-4)}`,
        acceptUnsignedPostbacks: false,
        isOpen: false,
        postbackSecurity: 'SECRET_REQUIRED',
        previousPostbackSecretExpiresAt: null,
      });
      expect(s.postbackUrl).toBe(
        `http://127.0.0.1:8080/postback?clickid={clickid}&sum={payout}&type={type}&eventid={eventid}&currency={currency}&secret=${s.postbackSecret}`,
      );
      const stored = await row(s.id);
      expect(stored).toMatchObject({
        postback_token_sha256: sha256(s.postbackSecret),
        accept_unsigned_postbacks: false,
      });
      expect(JSON.stringify(stored)).not.toContain(s.postbackSecret);
      // Published for conversion-service: hashes and the flag, never the secret.
      const ev = await published(s.id);
      expect(ev.data).toMatchObject({
        postback_token_sha256: sha256(s.postbackSecret),
        previous_postback_token_sha256: null,
        previous_postback_token_expires_at: null,
        accept_unsigned_postbacks: false,
      });
      expect(JSON.stringify(ev)).not.toContain(s.postbackSecret);
      expect(logs.lines.join('\n')).not.toContain(s.postbackSecret);

      // Afterwards: a placeholder and the hint, never the secret.
      const again = (await ok(app.url, acc, READ, { id: s.id })).offerSource;
      expect(again.postbackSecret).toBeNull();
      expect(again.postbackUrl).toMatch(/&secret=\{secret\}$/);
      expect(again.postbackSecretHint).toBe(s.postbackSecretHint);
      // Two sources never share a secret.
      const t = (await ok(app.url, acc, CREATE, { input: { name: 'Net B' } })).createOfferSource;
      expect(t.postbackSecret).not.toBe(s.postbackSecret);
    },
  );

  it(
    'rotates: a new secret once, the previous one kept for the overlap (argument or ' +
      'POSTBACK_SECRET_OVERLAP_HOURS)',
    async () => {
      const s = (await ok(app.url, acc, CREATE, { input: { name: 'Net R' } })).createOfferSource;
      const before = Date.now();
      const r = (await ok(app.url, acc, ROTATE, { id: s.id })).rotatePostbackSecret;
      expect(r.postbackSecret).toMatch(/^pbs_/);
      expect(r.postbackSecret).not.toBe(s.postbackSecret);
      expect(r.postbackUrl).toMatch(new RegExp(`&secret=${r.postbackSecret}$`));
      expect(r.version).toBe(s.version + 1);
      const expires = new Date(r.previousPostbackSecretExpiresAt).getTime();
      expect(expires).toBeGreaterThanOrEqual(before + 6 * 3600 * 1000 - 1000); // the configured default: 6 hours
      expect(expires).toBeLessThanOrEqual(Date.now() + 6 * 3600 * 1000 + 1000);
      expect(await row(s.id)).toMatchObject({
        postback_token_sha256: sha256(r.postbackSecret),
        previous_postback_token_sha256: sha256(s.postbackSecret),
      });
      expect((await published(s.id)).data).toMatchObject({
        postback_token_sha256: sha256(r.postbackSecret),
        previous_postback_token_sha256: sha256(s.postbackSecret),
        previous_postback_token_expires_at: new Date(expires).toISOString(),
      });

      // overlapHours: 0 refuses the replaced secret at once; the one before is forgotten either way.
      const r2 = (await ok(app.url, acc, ROTATE, { id: s.id, h: 0 })).rotatePostbackSecret;
      expect(r2.previousPostbackSecretExpiresAt).toBeNull();
      expect(await row(s.id)).toMatchObject({
        postback_token_sha256: sha256(r2.postbackSecret),
        previous_postback_token_sha256: null,
      });
      const r3 = (await ok(app.url, acc, ROTATE, { id: s.id, h: 48 })).rotatePostbackSecret;
      expect(new Date(r3.previousPostbackSecretExpiresAt).getTime()).toBeGreaterThan(Date.now() + 47 * 3600 * 1000);

      await fails(app.url, acc, ROTATE, { id: s.id, h: -1 }, 'BAD_USER_INPUT');
      await fails(app.url, acc, ROTATE, { id: s.id, h: 721 }, 'BAD_USER_INPUT');
      // Another account cannot rotate it.
      await fails(app.url, newAccountId(), ROTATE, { id: s.id }, 'NOT_FOUND');
    },
  );

  it('opts out explicitly (acceptUnsignedPostbacks) and back; requiring needs a secret', async () => {
    const open = (await ok(app.url, acc, CREATE, { input: { name: 'Open', acceptUnsignedPostbacks: true } }))
      .createOfferSource;
    expect(open).toMatchObject({ acceptUnsignedPostbacks: true, isOpen: true, postbackSecurity: 'OPEN' });
    expect(open.postbackSecret).toMatch(/^pbs_/); // it still has one: networks that can send it should
    expect((await published(open.id)).data.accept_unsigned_postbacks).toBe(true);
    const closed = (await ok(app.url, acc, UPDATE, { id: open.id, input: { acceptUnsignedPostbacks: false } }))
      .updateOfferSource;
    expect(closed).toMatchObject({ isOpen: false, postbackSecurity: 'SECRET_REQUIRED', postbackSecret: null });
    // The deprecated clearPostbackToken removes the secret and opens the source; requiring again needs a rotation.
    const cleared = (await ok(app.url, acc, UPDATE, { id: open.id, input: { clearPostbackToken: true } }))
      .updateOfferSource;
    expect(cleared).toMatchObject({
      hasPostbackSecret: false,
      isOpen: true,
      postbackUrl: expect.not.stringContaining('secret'),
    });
    await fails(app.url, acc, UPDATE, { id: open.id, input: { acceptUnsignedPostbacks: false } }, 'BAD_USER_INPUT');
    const rotated = (await ok(app.url, acc, ROTATE, { id: open.id })).rotatePostbackSecret;
    expect(rotated).toMatchObject({ hasPostbackSecret: true, isOpen: true, previousPostbackSecretExpiresAt: null });
    expect(
      (await ok(app.url, acc, UPDATE, { id: open.id, input: { acceptUnsignedPostbacks: false } })).updateOfferSource,
    ).toMatchObject({ isOpen: false });
  });

  it('never returns a secret outside the answers of create and rotate', () => {
    const secrets = responses
      .map((r) => JSON.parse(r))
      .flatMap((r) => Object.values(r.data ?? {}))
      .map((v: any) => v?.postbackSecret)
      .filter(Boolean);
    expect(secrets.length).toBeGreaterThan(3);
    for (const r of responses) {
      const parsed = JSON.parse(r);
      const answer: any = Object.values(parsed.data ?? {})[0];
      if (parsed.data?.offerSource || parsed.data?.updateOfferSource) expect(answer?.postbackSecret ?? null).toBeNull();
    }
  });
});

describe('postback secrets migration', () => {
  it(
    'keeps existing offer sources working: without a token they accept unsigned postbacks (open), ' +
      'with one they require it',
    async () => {
      const db = await createTestDatabase('config');
      const entities = [OutboxMessage];
      const before = createDataSource({
        url: db.url,
        entities,
        migrations: [CreateOutbox1764400000000, CreateConfigSchema1764500000000],
        applicationName: 'config-service-test',
      });
      try {
        await before.initialize();
        await before.runMigrations();
        const insert = (id: string, sha: string | null) =>
          before.query(
            `INSERT INTO offer_source (id, account_id, name, postback_token_sha256, postback_token_hint, created_at,
              updated_at, version)
           VALUES ($1, 'acc', 'old', $2, $3, now(), now(), 1)`,
            [id, sha, sha ? '****oken' : null],
          );
        await insert('11111111-1111-4111-8111-111111111111', null);
        await insert('22222222-2222-4222-8222-222222222222', sha256('legacy-token'));
        await before.destroy();

        const after = createDataSource({ url: db.url, entities, migrations, applicationName: 'config-service-test' });
        await after.initialize();
        try {
          await after.runMigrations();
          expect(
            await after.query(
              `SELECT id, accept_unsigned_postbacks, postback_token_sha256, previous_postback_token_sha256 FROM ` +
                `offer_source ORDER BY id`,
            ),
          ).toEqual([
            {
              id: '11111111-1111-4111-8111-111111111111',
              accept_unsigned_postbacks: true,
              postback_token_sha256: null,
              previous_postback_token_sha256: null,
            },
            {
              id: '22222222-2222-4222-8222-222222222222',
              accept_unsigned_postbacks: false,
              postback_token_sha256: sha256('legacy-token'),
              previous_postback_token_sha256: null,
            },
          ]);
        } finally {
          await after.destroy();
        }
      } finally {
        if (before.isInitialized) await before.destroy();
        await db.drop();
      }
    },
  );
});
