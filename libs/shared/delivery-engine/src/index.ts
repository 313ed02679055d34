export * from './batching';
export * from './destination';
export * from './engine';
export * from './credential-limits';
export * from './instance-lock';
export * from './limits';
export * from './retry-policy';
export * from './testing/fake-destination';
