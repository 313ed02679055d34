export * from './federation';
export * from './identity';
export * from './graphql-http';
export * from './errors';
export * from './pagination';
export * from './subgraph-server';
export * from './shared-types';
export * from './subgraph-wiring';
