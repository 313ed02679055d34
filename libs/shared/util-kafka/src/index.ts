export * from './kafka';
export * from './batching-producer';
export * from './dead-letters';
