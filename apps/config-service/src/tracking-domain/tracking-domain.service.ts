import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { badInput, conflict, notFound, userError, type PageArgs } from '@snaptrack/util-federation';
import { isUniqueViolation } from '@snaptrack/util-db';
import type { Logger } from '@snaptrack/util-logger';
import { newRow, touch } from '../common/entity-base';
import { isUuid } from '../common/ids';
import { paginate, type Page } from '../common/pagination';
import { lockKey, type Publish, type UnitOfWork } from '../common/transaction';
import { deletedEvent, trackingDomainEvent } from '../publishing/config-entity.mapper';
import { TrackingDomainEntity } from './tracking-domain.entity';
import { isLoopbackHost, txtRecordName, txtRecordValue, type DnsVerifier } from './dns-verifier';
import { hostname, type CreateTrackingDomainInput, type UpdateTrackingDomainInput } from './tracking-domain.input';

export const MAX_TRACKING_DOMAINS = 50;

export interface TrackingDomainOptions {
  /** `production` refuses loopback names; anything else verifies them on creation. */
  environment: string;
  dns: DnsVerifier;
}

/** Same answer whoever holds the hostname, so it never reveals which account that is. */
const domainTaken = (host: string) =>
  userError(
    'DOMAIN_TAKEN',
    `Tracking domain "${host}" is already used by another account. If you control it, contact support.`,
    { field: 'hostname' },
  );

const newVerificationToken = () => randomBytes(16).toString('hex');

export class TrackingDomainService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly log: Logger,
    private readonly opts: TrackingDomainOptions,
  ) {}

  private get production(): boolean {
    return this.opts.environment === 'production';
  }

  /** The verification fields of a new or renamed domain: loopback names need no proof in development. */
  private verificationFor(host: string): Pick<TrackingDomainEntity, 'verificationStatus' | 'verifiedAt'> {
    if (!isLoopbackHost(host)) return { verificationStatus: 'PENDING', verifiedAt: null };
    if (this.production)
      throw badInput(
        `Tracking domain "${host}" cannot be verified in production: use a hostname you control, such as ` +
          `trk.example.com`,
        'hostname',
      );
    return { verificationStatus: 'VERIFIED', verifiedAt: new Date() };
  }

  private get repo() {
    return this.uow.dataSource.getRepository(TrackingDomainEntity);
  }

  list(accountId: string, page: PageArgs): Promise<Page<TrackingDomainEntity>> {
    return paginate(this.repo.createQueryBuilder('d').where('d.accountId = :accountId', { accountId }), page);
  }

  async find(accountId: string, id: string): Promise<TrackingDomainEntity | null> {
    if (!isUuid(id)) return null;
    return this.repo.findOne({ where: { id, accountId } });
  }

  async get(accountId: string, id: string): Promise<TrackingDomainEntity> {
    const d = await this.find(accountId, id);
    if (!d) throw notFound('Tracking domain', id);
    return d;
  }

  defaultFor(accountId: string): Promise<TrackingDomainEntity | null> {
    return this.repo.findOne({ where: { accountId, isDefault: true } });
  }

  async create(accountId: string, input: CreateTrackingDomainInput): Promise<TrackingDomainEntity> {
    const host = hostname(input.hostname);
    const verification = this.verificationFor(host);
    return this.uow.run(async (tx, publish) => {
      await lockKey(tx, 'tracking_domain', accountId);
      const count = await tx.count(TrackingDomainEntity, { where: { accountId } });
      if (count >= MAX_TRACKING_DOMAINS)
        throw badInput(`An account can have at most ${MAX_TRACKING_DOMAINS} tracking domains`, 'hostname');
      await this.assertFree(tx, accountId, host, null);
      const row = newRow<TrackingDomainEntity>(accountId, randomUUID(), {
        hostname: host,
        isDefault: count === 0 || input.isDefault === true,
        verificationToken: newVerificationToken(),
        ...verification,
      });
      if (row.isDefault) await this.clearDefault(tx, publish, accountId, null);
      await this.write(() => tx.insert(TrackingDomainEntity, row), host);
      await publish(trackingDomainEvent(row));
      this.log.info('tracking domain added', {
        accountId,
        trackingDomainId: row.id,
        hostname: host,
        isDefault: row.isDefault,
        verificationStatus: row.verificationStatus,
      });
      return row;
    });
  }

  async update(accountId: string, id: string, input: UpdateTrackingDomainInput): Promise<TrackingDomainEntity> {
    const host = input.hostname === undefined || input.hostname === null ? undefined : hostname(input.hostname);
    const verification = host === undefined ? undefined : this.verificationFor(host);
    if (input.isDefault === false)
      throw badInput('To change the default tracking domain, make another domain the default', 'isDefault');
    return this.uow.run(async (tx, publish) => {
      await lockKey(tx, 'tracking_domain', accountId);
      const row = await this.lockRow(tx, accountId, id);
      let changed = false;
      if (host !== undefined && host !== row.hostname) {
        await this.assertFree(tx, accountId, host, row.id);
        // A new hostname needs its own proof (the TXT record name contains the hostname).
        Object.assign(row, { hostname: host, ...verification });
        changed = true;
      }
      if (input.isDefault === true && !row.isDefault) {
        await this.clearDefault(tx, publish, accountId, row.id);
        row.isDefault = true;
        changed = true;
      }
      if (!changed) return row;
      touch(row);
      await this.write(() => this.save(tx, row), row.hostname);
      await publish(trackingDomainEvent(row));
      return row;
    });
  }

  /**
   * Looks up the TXT record `_snaptrack.<hostname>` and marks the domain VERIFIED when one of its strings is
   * `snaptrack-verification=<token>`; otherwise DOMAIN_VERIFICATION_FAILED with what was expected and found.
   */
  async verify(accountId: string, id: string): Promise<TrackingDomainEntity> {
    const current = await this.get(accountId, id);
    if (current.verificationStatus === 'VERIFIED') return current;
    // A loopback name needs no proof in development, and can never have one in production (verificationFor throws).
    if (isLoopbackHost(current.hostname))
      return this.markVerified(accountId, current, this.verificationFor(current.hostname));
    const expected = { name: txtRecordName(current.hostname), value: txtRecordValue(current.verificationToken) };
    const lookup = await this.opts.dns.txt(expected.name);
    if ('error' in lookup || !lookup.found.includes(expected.value)) {
      const found = 'error' in lookup ? [] : lookup.found.slice(0, 10).map((v) => v.slice(0, 200));
      const why =
        'error' in lookup
          ? lookup.error
          : found.length
            ? `found ${found.map((v) => JSON.stringify(v)).join(', ')}`
            : 'found no TXT record there';
      this.log.info('tracking domain verification failed', { accountId, trackingDomainId: id, found: found.length });
      throw userError(
        'DOMAIN_VERIFICATION_FAILED',
        `Tracking domain "${current.hostname}" is not verified: expected a TXT record ${expected.name} ` +
          `with the value ` +
          `${expected.value}, but ${why}. DNS changes can take a while to propagate; try again later.`,
        { expected, found },
      );
    }
    return this.markVerified(accountId, current, { verificationStatus: 'VERIFIED', verifiedAt: new Date() });
  }

  private markVerified(
    accountId: string,
    current: TrackingDomainEntity,
    verified: Pick<TrackingDomainEntity, 'verificationStatus' | 'verifiedAt'>,
  ): Promise<TrackingDomainEntity> {
    return this.uow.run(async (tx, publish) => {
      await lockKey(tx, 'tracking_domain', accountId);
      const row = await this.lockRow(tx, accountId, current.id);
      // Renamed (or verified) meanwhile: the proof was for what we looked up, so answer the row as it is now.
      if (row.hostname !== current.hostname || row.verificationToken !== current.verificationToken) return row;
      if (row.verificationStatus === 'VERIFIED') return row;
      Object.assign(row, verified);
      touch(row);
      await this.save(tx, row);
      await publish(trackingDomainEvent(row));
      this.log.info('tracking domain verified', { accountId, trackingDomainId: row.id, hostname: row.hostname });
      return row;
    });
  }

  async delete(accountId: string, id: string): Promise<string> {
    return this.uow.run(async (tx, publish) => {
      await lockKey(tx, 'tracking_domain', accountId);
      const row = await this.lockRow(tx, accountId, id);
      if (row.isDefault) {
        const others = await tx.count(TrackingDomainEntity, { where: { accountId } });
        if (others > 1)
          throw conflict(`"${row.hostname}" is the default tracking domain: make another domain the default first`);
      }
      await tx.delete(TrackingDomainEntity, { id: row.id, accountId });
      await publish(deletedEvent('tracking_domain', row));
      this.log.info('tracking domain deleted', { accountId, trackingDomainId: row.id });
      return row.id;
    });
  }

  private async lockRow(tx: EntityManager, accountId: string, id: string): Promise<TrackingDomainEntity> {
    const row = isUuid(id)
      ? await tx.findOne(TrackingDomainEntity, { where: { id, accountId }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!row) throw notFound('Tracking domain', id);
    return row;
  }

  /** A hostname belongs to one account across the installation (backed by a unique index on lower(hostname)). */
  private async assertFree(tx: EntityManager, accountId: string, host: string, exceptId: string | null): Promise<void> {
    const other = await tx.findOne(TrackingDomainEntity, { where: { hostname: host } });
    if (!other || other.id === exceptId) return;
    if (other.accountId !== accountId) throw domainTaken(host);
    throw conflict(`Tracking domain "${host}" is already added`);
  }

  private async clearDefault(
    tx: EntityManager,
    publish: Publish,
    accountId: string,
    exceptId: string | null,
  ): Promise<void> {
    const current = await tx.findOne(TrackingDomainEntity, {
      where: { accountId, isDefault: true },
      lock: { mode: 'pessimistic_write' },
    });
    if (!current || current.id === exceptId) return;
    current.isDefault = false;
    touch(current);
    await this.save(tx, current);
    await publish(trackingDomainEvent(current));
  }

  private async save(tx: EntityManager, row: TrackingDomainEntity): Promise<void> {
    const { id, accountId, ...fields } = row;
    await tx.update(TrackingDomainEntity, { id, accountId }, fields);
  }

  private async write(op: () => Promise<unknown>, host: string): Promise<void> {
    try {
      await op();
    } catch (e) {
      // Same-account writes are serialised by the account lock, so a violation here is another account's claim.
      if (isUniqueViolation(e, 'tracking_domain_hostname_global')) throw domainTaken(host);
      throw e;
    }
  }
}
