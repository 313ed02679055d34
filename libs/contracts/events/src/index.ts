export * from './topics';
export * from './validator';
export * from './common/snap-event-names';
export * as ClickRecordedV1 from './click-recorded-v1';
export * as ConversionCreatedV1 from './conversion-created-v1';
export * as DeliveryResultV1 from './delivery-result-v1';
export * as DeliveryCommandV1 from './delivery-command-v1';
export * as ConfigEntityV1 from './config-entity-v1';
export * as DeadLetterV1 from './dead-letter-v1';
