export * from './metrics';
export * from './tracing';
export * from './http';
export * from './config';
export * from './kafka-lag';
export * from './outbox';
export * from './observability';
