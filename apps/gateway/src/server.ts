import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError } from 'graphql';
import { Agent } from 'undici';
import { createLogger, type Logger } from '@snaptrack/util-logger';
import { IDENTITY_HEADER, graphqlHandler } from '@snaptrack/util-federation';
import { buildHandler, listen, TrustedProxies, addressBucket, requestClientIp } from '@snaptrack/util-http';
import { createObservability, traceHeaders } from '@snaptrack/util-observability';
import type { GatewayConfig } from './config';
import { KeyCheck, KeyCheckUnavailable } from './auth/key-check';
import { queryLimitsRule } from './protection/limits';
import { TokenBuckets } from './protection/rate-limit';
import { corsPolicy } from './protection/cors';
import { explorerRoutes } from './explorer/explorer';
import { SubgraphDataSource } from './subgraphs/subgraph-data-source';
import { cachedIdentitySigner } from './subgraphs/identity-cache';

export const SUPERGRAPH_PATH = path.join(__dirname, '../supergraph/supergraph.graphql');

export type GatewayContext = {
  accountId: string;
  requestId: string;
};

export interface RunningGateway {
  url: string;
  port: number;
  keys: KeyCheck;
  stop(): Promise<void>;
}

function subgraphUrls(config: GatewayConfig): Record<string, string> {
  return {
    config: config.configServiceUrl,
    campaign: config.campaignServiceUrl,
    conversion: config.conversionServiceUrl,
    accounts: config.accountServiceUrl,
  };
}

/** 429 with Retry-After (seconds) and extensions.code RATE_LIMITED, thrown from the context function. */
function rateLimited(retryAfterSeconds: number, what: string): GraphQLError {
  return new GraphQLError(`Too many requests (${what}); retry after ${retryAfterSeconds} s`, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfterSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

export function formatGatewayError(log: Logger) {
  return (
    formatted: { message: string; extensions?: Record<string, unknown>; path?: readonly (string | number)[] },
    error?: unknown,
  ) => {
    // Apollo relabels every validation error GRAPHQL_VALIDATION_FAILED; keep our more precise limit code.
    const originalCode = (error as { originalError?: { extensions?: Record<string, unknown> } })?.originalError
      ?.extensions?.code as string | undefined;
    if (originalCode === 'QUERY_TOO_COMPLEX')
      formatted = { ...formatted, extensions: { ...formatted.extensions, code: originalCode } };
    const code = formatted.extensions?.code as string | undefined;
    if (!code || code === 'INTERNAL_SERVER_ERROR') {
      log.error('gateway error', { message: formatted.message, path: formatted.path });
      return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
    const { stacktrace: _s, ...ext } = formatted.extensions ?? {};
    return { ...formatted, extensions: ext };
  };
}

/**
 * Serves the committed supergraph; checks API keys at account-service (cached); signs the caller identity for
 * subgraphs. Stateless: no database, nothing to migrate.
 */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const log = createLogger('gateway', config.logLevel);
  const obs = createObservability('gateway', config);
  const keys = new KeyCheck({
    accountServiceUrl: config.accountServiceUrl,
    internalAuthSecret: config.internalAuthSecret,
    ttlMs: config.apiKeyCacheTtlMs,
    maxEntries: config.apiKeyCacheMaxEntries,
  });
  const urls = subgraphUrls(config);
  // Subgraph calls go through undici on a keep-alive pool (see SubgraphDataSource for why not Apollo's fetcher).
  const subgraphPool = new Agent({ keepAliveTimeout: 4_000, connections: 128 });
  const identity = cachedIdentitySigner(config.internalAuthSecret);
  const subgraphHeaders = (context: GatewayContext): Record<string, string> => {
    const headers: Record<string, string> = {};
    if (context.accountId) headers[IDENTITY_HEADER] = identity(context.accountId);
    if (context.requestId) headers['x-request-id'] = context.requestId;
    // W3C trace context: the subgraph's request span continues the gateway's.
    return Object.assign(headers, traceHeaders());
  };
  // @apollo/gateway otherwise probes cloud metadata endpoints at start and exports usage metrics to Apollo's servers
  // every few minutes: a self-hosted tracker does not phone home unless its operator sets this to false.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name, url }) =>
      new SubgraphDataSource<GatewayContext>({
        url: urls[name] ?? url,
        dispatcher: subgraphPool,
        headers: subgraphHeaders,
      }),
  });
  const dev = config.environment !== 'production';
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: dev,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [
      queryLimitsRule({ maxDepth: config.maxDepth, maxAliases: config.maxAliases, maxFields: config.maxFields }),
    ],
    formatError: formatGatewayError(log),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      {
        async requestDidStart({ contextValue }) {
          return {
            async willSendResponse({ response }) {
              if (response.body.kind === 'single') {
                response.body.singleResult.extensions = {
                  ...response.body.singleResult.extensions,
                  requestId: contextValue.requestId,
                };
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  // In-memory, per gateway instance (see the README): N instances allow N times these rates.
  const trusted = new TrustedProxies(config.trustedProxies ?? []);
  const perKey = new TokenBuckets({ ratePerSecond: config.rateLimitKeyPerSecond, burst: config.rateLimitKeyBurst });
  const perAccount = new TokenBuckets({
    ratePerSecond: config.rateLimitAccountPerSecond,
    burst: config.rateLimitAccountBurst,
  });
  const authFailures = new TokenBuckets({
    ratePerSecond: config.rateLimitAuthFailuresPerMinute / 60,
    burst: config.rateLimitAuthFailuresPerMinute,
  });

  const context = async (req: IncomingMessage): Promise<GatewayContext> => {
    const requestId = (req as IncomingMessage & { id?: string }).id ?? '';
    const ip = addressBucket(requestClientIp(req, trusted));
    // An address that failed too often is refused before its key is even looked at (no oracle for guessing).
    const blocked = authFailures.wait(ip);
    if (blocked) throw rateLimited(blocked, 'too many failed authentications from this address');
    const key = bearer(req);
    let identity;
    try {
      identity = await keys.check(key);
    } catch (e) {
      if (!(e instanceof KeyCheckUnavailable)) throw e;
      log.error('API key check failed', { reason: e.message });
      throw new GraphQLError('Authentication is unavailable; retry shortly', {
        extensions: { code: 'AUTH_UNAVAILABLE', http: { status: 503, headers: new HeaderMap([['retry-after', '1']]) } },
      });
    }
    if (!key || !identity) {
      authFailures.take(ip);
      throw new GraphQLError('Missing or invalid API key: send "Authorization: Bearer <key>"', {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
    const { accountId, keyId } = identity;
    const wait = Math.max(perKey.wait(keyId), perAccount.wait(accountId));
    if (wait) throw rateLimited(wait, 'rate limit of this API key or account');
    perKey.take(keyId);
    perAccount.take(accountId);
    return { accountId, requestId };
  };
  const cors = corsPolicy(config.corsAllowedOrigins ?? []);
  const graphql = graphqlHandler(apollo, context, { bodyLimit: config.maxBodyBytes });

  const http = await listen(
    buildHandler(
      [
        {
          method: ['GET', 'POST', 'OPTIONS'],
          path: '/graphql',
          handler: async (req, res, url) => {
            if (cors(req, res)) return; // a preflight, answered
            await graphql(req, res, url);
          },
        },
        ...(dev ? explorerRoutes({ defaultApiKey: config.explorerDefaultApiKey }) : []),
      ],
      {
        probes: [{ name: 'account-service', check: () => keys.reachable() }],
        onError: (e) => log.error('request failed', { err: e }),
        instrument: obs.http,
      },
    ),
    config.port,
    config.host,
  );
  log.info('gateway listening', { url: `${http.url}/graphql` });
  return {
    url: http.url,
    port: http.port,
    keys,
    stop: async () => {
      await http.close();
      await apollo.stop();
      await subgraphPool.close();
    },
  };
}
