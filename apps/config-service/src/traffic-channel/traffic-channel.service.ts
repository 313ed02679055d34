import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { badInput, conflict, notFound, type PageArgs } from '@snaptrack/util-federation';
import type { Logger } from '@snaptrack/util-logger';
import { newRow, touch } from '../common/entity-base';
import { isUuid } from '../common/ids';
import { paginate, type Page } from '../common/pagination';
import type { UnitOfWork } from '../common/transaction';
import { deletedEvent, trafficChannelEvent } from '../publishing/config-entity.mapper';
import { PixelEntity } from '../pixel/pixel.entity';
import { TEMPLATES, findTemplate } from '../template/template.catalog';
import { TrafficChannelEntity } from './traffic-channel.entity';
import {
  channelName,
  channelParameters,
  clickIdParam,
  type CreateTrafficChannelInput,
  type UpdateTrafficChannelInput,
} from './traffic-channel.input';
import { ChannelIntegrationStatus } from './traffic-channel.type';

/** Pure: not configured until a channel-level pixel with a token exists; then ready or test mode. */
export function integrationStatusOf(
  templateKey: string,
  pixel: Pick<PixelEntity, 'tokenCiphertext' | 'testMode'> | null,
): ChannelIntegrationStatus {
  if (!findTemplate(templateKey)?.supportsCapi) return ChannelIntegrationStatus.NOT_APPLICABLE;
  if (!pixel || pixel.tokenCiphertext === null) return ChannelIntegrationStatus.NOT_CONFIGURED;
  return pixel.testMode ? ChannelIntegrationStatus.TEST_MODE : ChannelIntegrationStatus.READY;
}

export class TrafficChannelService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly log: Logger,
  ) {}

  private get repo() {
    return this.uow.dataSource.getRepository(TrafficChannelEntity);
  }

  list(accountId: string, page: PageArgs): Promise<Page<TrafficChannelEntity>> {
    return paginate(this.repo.createQueryBuilder('c').where('c.accountId = :accountId', { accountId }), page);
  }

  async find(accountId: string, id: string): Promise<TrafficChannelEntity | null> {
    if (!isUuid(id)) return null;
    return this.repo.findOne({ where: { id, accountId } });
  }

  async get(accountId: string, id: string): Promise<TrafficChannelEntity> {
    const c = await this.find(accountId, id);
    if (!c) throw notFound('Traffic channel', id);
    return c;
  }

  /** "New from template": the template's click-id parameter and parameters, which the caller may override. */
  async createFromTemplate(accountId: string, input: CreateTrafficChannelInput): Promise<TrafficChannelEntity> {
    const key = (input.templateKey ?? '').trim();
    const template = findTemplate(key);
    if (!template)
      throw badInput(
        `Unknown traffic channel template "${key.slice(0, 60)}". Available: ${TEMPLATES.map((t) => t.key).join(', ')}`,
        'templateKey',
      );
    const name = input.name === undefined || input.name === null ? template.name : channelName(input.name);
    const parameters = input.parameters
      ? channelParameters(input.parameters)
      : template.parameters.map((p) => ({ name: p.name, value: p.value }));
    return this.uow.run(async (tx, publish) => {
      const row = newRow<TrafficChannelEntity>(accountId, randomUUID(), {
        name,
        templateKey: template.key,
        clickIdParam: template.clickIdParam,
        parameters,
      });
      await tx.insert(TrafficChannelEntity, row);
      await publish(trafficChannelEvent(row));
      this.log.info('traffic channel created', { accountId, trafficChannelId: row.id, template: template.key });
      return row;
    });
  }

  async update(accountId: string, id: string, input: UpdateTrafficChannelInput): Promise<TrafficChannelEntity> {
    const name = input.name === undefined || input.name === null ? undefined : channelName(input.name);
    const parameters = input.parameters ? channelParameters(input.parameters) : undefined;
    const click =
      input.clickIdParam === undefined || input.clickIdParam === null ? undefined : clickIdParam(input.clickIdParam);
    return this.uow.run(async (tx, publish) => {
      const row = await this.lockRow(tx, accountId, id);
      const before = JSON.stringify([row.name, row.clickIdParam, row.parameters]);
      if (name !== undefined) row.name = name;
      if (parameters !== undefined) row.parameters = parameters;
      if (click !== undefined) row.clickIdParam = click;
      if (JSON.stringify([row.name, row.clickIdParam, row.parameters]) === before) return row;
      touch(row);
      const { id: _id, accountId: _acc, ...fields } = row;
      await tx.update(TrafficChannelEntity, { id: row.id, accountId }, fields);
      await publish(trafficChannelEvent(row));
      return row;
    });
  }

  async delete(accountId: string, id: string): Promise<string> {
    return this.uow.run(async (tx, publish) => {
      const row = await this.lockRow(tx, accountId, id);
      const pixel = await tx.findOne(PixelEntity, { where: { accountId, trafficChannelId: row.id } });
      if (pixel)
        throw conflict(
          `Traffic channel "${row.name}" still has pixel ${pixel.pixelId} as its data source: remove the pixel first`,
        );
      await tx.delete(TrafficChannelEntity, { id: row.id, accountId });
      await publish(deletedEvent('traffic_channel', row));
      this.log.info('traffic channel deleted', { accountId, trafficChannelId: row.id });
      return row.id;
    });
  }

  private async lockRow(tx: EntityManager, accountId: string, id: string): Promise<TrafficChannelEntity> {
    const row = isUuid(id)
      ? await tx.findOne(TrafficChannelEntity, { where: { id, accountId }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!row) throw notFound('Traffic channel', id);
    return row;
  }
}
