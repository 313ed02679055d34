// The platform's one UUID rule (8-4-4-4-12 hex, any case), shared with every service.
export { isUuid } from '@snaptrack/contracts-events';
