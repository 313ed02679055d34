export * from './outbox-message.entity';
export * from './create-outbox.migration';
export * from './outbox-relay';
export * from './outbox-headers.migration';
