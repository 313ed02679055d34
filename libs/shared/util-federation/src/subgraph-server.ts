import { ApolloServer, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '@snaptrack/util-logger';
import {
  buildHandler,
  listen,
  type HttpInstrumentation,
  type Listening,
  type Probe,
  type Readiness,
  type Route,
} from '@snaptrack/util-http';
import { graphqlHandler } from './graphql-http';
import { IDENTITY_HEADER, verifyIdentity } from './identity';
import type { SubgraphServing } from './subgraph-wiring';

export interface SubgraphContext extends BaseContext {
  accountId: string;
  requestId: string;
  log: Logger;
}

const KNOWN_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'DUPLICATE_PIXEL',
  'DOMAIN_TAKEN',
  'DOMAIN_VERIFICATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Hides internal errors (logged with the request id) and keeps user errors as they are. type-graphql's
 * argument validation errors become BAD_USER_INPUT.
 */
export function formatSubgraphError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code as string | undefined;
    if (code && KNOWN_CODES.has(code))
      return { ...formatted, extensions: { ...formatted.extensions, stacktrace: undefined } };
    const original = (error as GraphQLError)?.originalError;
    if (
      original &&
      (original.name === 'ArgumentValidationError' || original.constructor?.name === 'ArgumentValidationError')
    ) {
      return { message: formatted.message, path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
    }
    log.error('unhandled resolver error', { err: original ?? error, path: formatted.path });
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

export interface SubgraphHttpOptions {
  schema: GraphQLSchema;
  log: Logger;
  /** The service's config: PORT, HOST, INTERNAL_AUTH_SECRET, GRAPHQL_INTROSPECTION. */
  config: SubgraphServing;
  routes?: Route[];
  /** /readyz: the probes, or a Readiness the service keeps (util-http). */
  probes?: Probe[] | Readiness;
  /** Accept the gateway's reserved `admin` identity (only account-service, for adminCreateAccount, does). */
  allowAdmin?: boolean;
  /** Metrics and traces (util-observability `createObservability(...).http`): spans, durations, GET /metrics. */
  instrument?: HttpInstrumentation;
}

export interface SubgraphHttp extends Listening {
  apollo: ApolloServer<SubgraphContext>;
}

/**
 * Apollo subgraph + extra routes + health on one node:http server. Every GraphQL request must carry a gateway-signed
 * identity.
 */
export async function startSubgraphHttp(opts: SubgraphHttpOptions): Promise<SubgraphHttp> {
  const apollo = new ApolloServer<SubgraphContext>({
    schema: opts.schema,
    introspection: opts.config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: formatSubgraphError(opts.log),
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
    csrfPrevention: true,
    // The service's own onShutdown (util-http) stops everything in order; Apollo's handler would re-raise SIGTERM
    // after stopping itself and kill the process before the outbox relay, Kafka and the database are closed.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  const context = async (req: IncomingMessage): Promise<SubgraphContext> => {
    const header = req.headers[IDENTITY_HEADER];
    const accountId = verifyIdentity(typeof header === 'string' ? header : undefined, opts.config.internalAuthSecret);
    if (!accountId || (accountId === 'admin' && !opts.allowAdmin)) {
      throw new GraphQLError('Requests must come through the gateway with a valid API key', {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
    const requestId = (req as IncomingMessage & { id?: string }).id ?? '';
    return { accountId, requestId, log: opts.log.child({ requestId, accountId }) };
  };
  const handler = buildHandler(
    [{ method: ['GET', 'POST'], path: '/graphql', handler: graphqlHandler(apollo, context) }, ...(opts.routes ?? [])],
    {
      probes: opts.probes,
      onError: (e) => opts.log.error('request failed', { err: e }),
      instrument: opts.instrument,
    },
  );
  const http = await listen(handler, opts.config.port, opts.config.host);
  return {
    ...http,
    apollo,
    close: async () => {
      await http.close();
      await apollo.stop();
    },
  };
}
