import { GraphQLError } from 'graphql';

export type UserErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DUPLICATE_PIXEL'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'DOMAIN_TAKEN'
  | 'DOMAIN_VERIFICATION_FAILED';

/** A GraphQL error a user can act on; `extensions.code` is the contract frontends switch on. */
export function userError(code: UserErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}
export const badInput = (message: string, field?: string) =>
  userError('BAD_USER_INPUT', message, field ? { field } : {});
export const notFound = (what: string, id: string) => userError('NOT_FOUND', `${what} ${id} not found`);
export const conflict = (message: string) => userError('CONFLICT', message);
