import type { GraphQLSchema } from 'graphql';
import type { ContainerType, NonEmptyArray } from 'type-graphql';
import { buildFederatedSchema } from './federation';

/** What every subgraph's `startServer(config)` returns, besides what its tests need of it. */
export interface RunningSubgraph {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The subgraph keys startSubgraphHttp reads from the service's config (util-config `serviceKeys`, `subgraphKeys`). */
export interface SubgraphServing {
  port: number;
  host?: string;
  internalAuthSecret: string;
  introspection: boolean;
}

/**
 * type-graphql's container over the resolver instances a `server.ts` wired by hand (constructor injection); a class it
 * was not given is a wiring bug and throws, naming the service.
 */
export function wiredContainer(service: string, instances: Map<Function, unknown>): ContainerType {
  return {
    get: (cls) => {
      const instance = instances.get(cls);
      if (!instance) throw new Error(`${service}: no instance wired for ${cls.name}`);
      return instance;
    },
  };
}

/**
 * The subgraph schema of a service: its resolver classes with the instances it wired, plus its reference resolvers.
 * type-graphql's class-validator pass is off (inputs are checked by the services' own rules).
 */
export function buildWiredSchema(
  service: string,
  resolvers: NonEmptyArray<Function>,
  instances: Map<Function, unknown>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  references?: Record<string, Record<string, any>>,
): Promise<GraphQLSchema> {
  return buildFederatedSchema(
    { resolvers, container: wiredContainer(service, instances), validate: false },
    references,
  );
}
