import type { Value } from './value';

/** Kafka message key of delivery.command.v1: the account id, so one account's commands are handled in order. */
export const keyOf = (v: Pick<Value, 'account_id'>): string => v.account_id;
