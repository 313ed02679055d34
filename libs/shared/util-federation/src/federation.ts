import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';

/** The only place that names the federation version. */
export const FEDERATION_LINK =
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", ` +
  `import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible"])`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ResolverMap = Record<string, Record<string, any>>;

function merge(a: ResolverMap, b: ResolverMap = {}): ResolverMap {
  const out: ResolverMap = { ...a };
  for (const [type, fields] of Object.entries(b)) out[type] = { ...(out[type] ?? {}), ...fields };
  return out;
}

/** type-graphql schema → Apollo subgraph schema, with reference resolvers merged in. */
export async function buildFederatedSchema(
  options: Omit<BuildSchemaOptions, 'skipCheck'>,
  referenceResolvers?: ResolverMap,
): Promise<GraphQLSchema> {
  const schema = await buildSchema({ ...options, skipCheck: true });
  return buildSubgraphSchema({
    typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    resolvers: merge(createResolversMap(schema) as ResolverMap, referenceResolvers) as any,
  });
}

/** The subgraph SDL as the gateway composes it (same text `_service { sdl }` returns). */
export async function printSubgraphSdl(options: Omit<BuildSchemaOptions, 'skipCheck'>): Promise<string> {
  const schema = await buildSchema({ ...options, skipCheck: true });
  return `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(schema)}\n`;
}
