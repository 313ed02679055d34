import { kafkaTopicKeys, migrationKeys, type ConfigSpec } from './config';

/**
 * Key groups that several services declare alike. Each app spreads them into its `defineConfig({...})` where the keys
 * stand in its table (the order of the spec is the order of the generated README tables), and keeps its own docs where
 * they say something the shared one does not.
 */

/** `PORT` and `HOST` of the service's HTTP listener (GraphQL, public routes or only the health server). */
export function listenKeys(defaultPort: string, portDoc: string, hostDoc = 'Interface to listen on') {
  return {
    port: { env: 'PORT', doc: portDoc, format: 'port', default: defaultPort },
    host: { env: 'HOST', doc: hostDoc, format: 'string', default: '127.0.0.1' },
  } as const satisfies ConfigSpec;
}

/** `DATABASE_URL`: the service's own PostgreSQL database, `snaptrack_<name>` on the local server by default. */
export function databaseKeys(database: string, what: string) {
  return {
    databaseUrl: {
      env: 'DATABASE_URL',
      doc: `PostgreSQL URL of the ${what}`,
      format: 'url',
      default: `postgres://postgres@127.0.0.1:5432/${database}`,
    },
  } as const satisfies ConfigSpec;
}

/**
 * `KAFKA_TOPIC_PREFIX` (isolation of several platforms on one broker). `groups`: the service also prefixes its consumer
 * groups with it.
 */
export function topicPrefixKeys(opts: { groups: boolean }) {
  return {
    kafkaTopicPrefix: {
      env: 'KAFKA_TOPIC_PREFIX',
      doc: opts.groups
        ? 'Prefix for every topic name and consumer group (isolation)'
        : 'Prefix for every topic name (isolation)',
      format: 'string',
      default: '',
      optional: true,
    },
  } as const satisfies ConfigSpec;
}

/** `INTERNAL_AUTH_SECRET` of a subgraph: it verifies the identities the gateway signs. */
export const internalAuthKeys = {
  internalAuthSecret: {
    env: 'INTERNAL_AUTH_SECRET',
    doc: 'Shared secret the gateway signs caller identities with',
    format: 'string',
    secret: true,
  },
} as const satisfies ConfigSpec;

/** `GRAPHQL_INTROSPECTION` of a subgraph. */
export const introspectionKeys = {
  introspection: {
    env: 'GRAPHQL_INTROSPECTION',
    doc: 'Allow introspection on the subgraph',
    format: 'boolean',
    default: 'false',
  },
} as const satisfies ConfigSpec;

/** Both keys of a subgraph behind the gateway: `INTERNAL_AUTH_SECRET` and `GRAPHQL_INTROSPECTION`. */
export const subgraphKeys = { ...internalAuthKeys, ...introspectionKeys } as const satisfies ConfigSpec;

export interface ServiceKeyOptions {
  /** Default `PORT` and its doc; `hostDoc` when the listener is not the service's API. */
  port: string;
  portDoc: string;
  hostDoc?: string;
  /** Default database name (`snaptrack_<name>`) and what it holds, for the doc of `DATABASE_URL`. */
  database: string;
  databaseDoc: string;
  /** The service also prefixes its consumer groups with `KAFKA_TOPIC_PREFIX`. */
  prefixesGroups: boolean;
}

/**
 * The keys of a service that owns a database and creates the Kafka topics, in the order of its table: migrations,
 * topic settings, `PORT`/`HOST`, `DATABASE_URL`, `KAFKA_TOPIC_PREFIX`. Spread after `commonKeys` and the observability
 * keys.
 */
export function serviceKeys(o: ServiceKeyOptions) {
  return {
    ...migrationKeys,
    ...kafkaTopicKeys,
    ...listenKeys(o.port, o.portDoc, o.hostDoc),
    ...databaseKeys(o.database, o.databaseDoc),
    ...topicPrefixKeys({ groups: o.prefixesGroups }),
  } as const satisfies ConfigSpec;
}
