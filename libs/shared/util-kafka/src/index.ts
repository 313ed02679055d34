export * from './kafka';
export * from './batching-producer';
