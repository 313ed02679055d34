import 'reflect-metadata';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { FEDERATION_LINK, printSubgraphSdl } from '@snaptrack/util-federation';
import { resolvers } from './schema';

/** The subgraph SDL composes with subgraphs that own the entities it references by stub. */
describe('conversion-service subgraph schema', () => {
  it(
    'composes next to the owners of Campaign, Offer, TrafficChannel, OfferSource, ConversionType and ' + 'Pixel',
    async () => {
      const sdl = await printSubgraphSdl({ resolvers, validate: false });
      expect(sdl).toContain('type Conversion @key(fields: "id")');
      expect(sdl).toContain('type Campaign @key(fields: "id", resolvable: false)');
      // Pixel is config-service's; this subgraph resolves its key and adds deliveryStats.
      expect(sdl).toContain('type Pixel @key(fields: "id")');
      expect(sdl).toMatch(/deliveryStats\(since: DateTimeISO\): PixelDeliveryStats/);
      const owners = `${FEDERATION_LINK}
      type Query { campaign(id: ID!): Campaign, offer(id: ID!): Offer, trafficChannel(id: ID!): TrafficChannel }
      type Campaign @key(fields: "id") { id: ID! name: String! }
      type Offer @key(fields: "id") { id: ID! name: String! }
      type TrafficChannel @key(fields: "id") { id: ID! name: String! }
      type OfferSource @key(fields: "id") { id: ID! name: String! }
      type ConversionType @key(fields: "id") { id: ID! name: String! }
      type Pixel @key(fields: "id") { id: ID! pixelId: String! }
      type PageInfo @shareable { endCursor: String hasNextPage: Boolean! }`;
      const result = composeServices([
        { name: 'conversion', url: 'http://conversion/graphql', typeDefs: parse(sdl) },
        { name: 'owners', url: 'http://owners/graphql', typeDefs: parse(owners) },
      ]);
      expect(result.errors?.map((e) => e.message)).toBeUndefined();
    },
  );
});
