export * from './http';
export * from './readiness';
