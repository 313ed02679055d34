import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { badInput, conflict, notFound } from '@snaptrack/util-federation';
import { isUniqueViolation } from '@snaptrack/util-db';
import type { Logger } from '@snaptrack/util-logger';
import { newRow, touch } from '../common/entity-base';
import { isUuid } from '../common/ids';
import { paginate, type Page } from '../common/pagination';
import { lockKey, type Publish, type UnitOfWork } from '../common/transaction';
import { deletedEvent, trackingDomainEvent } from '../publishing/config-entity.mapper';
import { TrackingDomainEntity } from './tracking-domain.entity';
import { hostname, type CreateTrackingDomainInput, type UpdateTrackingDomainInput } from './tracking-domain.input';

export const MAX_TRACKING_DOMAINS = 50;

export class TrackingDomainService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly log: Logger,
  ) {}

  private get repo() {
    return this.uow.dataSource.getRepository(TrackingDomainEntity);
  }

  list(accountId: string, first?: number | null, after?: string | null): Promise<Page<TrackingDomainEntity>> {
    return paginate(this.repo.createQueryBuilder('d').where('d.accountId = :accountId', { accountId }), first, after);
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
    return this.uow.run(async (tx, publish) => {
      await lockKey(tx, 'tracking_domain', accountId);
      const count = await tx.count(TrackingDomainEntity, { where: { accountId } });
      if (count >= MAX_TRACKING_DOMAINS)
        throw badInput(`An account can have at most ${MAX_TRACKING_DOMAINS} tracking domains`, 'hostname');
      await this.assertFree(tx, accountId, host, null);
      const row = newRow<TrackingDomainEntity>(accountId, randomUUID(), {
        hostname: host,
        isDefault: count === 0 || input.isDefault === true,
      });
      if (row.isDefault) await this.clearDefault(tx, publish, accountId, null);
      await this.write(() => tx.insert(TrackingDomainEntity, row), host);
      await publish(trackingDomainEvent(row));
      this.log.info('tracking domain added', {
        accountId,
        trackingDomainId: row.id,
        hostname: host,
        isDefault: row.isDefault,
      });
      return row;
    });
  }

  async update(accountId: string, id: string, input: UpdateTrackingDomainInput): Promise<TrackingDomainEntity> {
    const host = input.hostname === undefined || input.hostname === null ? undefined : hostname(input.hostname);
    if (input.isDefault === false)
      throw badInput('To change the default tracking domain, make another domain the default', 'isDefault');
    return this.uow.run(async (tx, publish) => {
      await lockKey(tx, 'tracking_domain', accountId);
      const row = await this.lockRow(tx, accountId, id);
      let changed = false;
      if (host !== undefined && host !== row.hostname) {
        await this.assertFree(tx, accountId, host, row.id);
        row.hostname = host;
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

  private async assertFree(tx: EntityManager, accountId: string, host: string, exceptId: string | null): Promise<void> {
    const other = await tx.findOne(TrackingDomainEntity, { where: { accountId, hostname: host } });
    if (other && other.id !== exceptId) throw conflict(`Tracking domain "${host}" is already added`);
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
      if (isUniqueViolation(e, 'tracking_domain_account_hostname'))
        throw conflict(`Tracking domain "${host}" is already added`);
      throw e;
    }
  }
}
