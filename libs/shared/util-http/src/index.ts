export * from './http';
export * from './readiness';
export * from './client-ip';
