import 'reflect-metadata';
import { Column, DataSource, Entity } from 'typeorm';
import { ClickColumns } from './click-columns';

@Entity({ name: 'test_click' })
class TestClick extends ClickColumns {
  @Column({ name: 'extra', type: 'text' }) extra: string;
}

/** Builds the entity metadata TypeORM would use, without a connection. */
class MetadataOnly extends DataSource {
  build(): Promise<void> {
    return this.buildMetadatas();
  }
}

describe('ClickColumns', () => {
  it('gives an extending entity the click.recorded.v1 columns (names, types, nullability) plus its own', async () => {
    const ds = new MetadataOnly({ type: 'postgres', entities: [TestClick] });
    await ds.build();
    const meta = ds.getMetadata(TestClick);
    expect(meta.tableName).toBe('test_click');
    expect(meta.primaryColumns.map((c) => c.databaseName)).toEqual(['click_id']);
    const columns = Object.fromEntries(
      meta.columns.map((c) => [c.databaseName, `${String(c.type)}${c.isNullable ? '?' : ''}`]),
    );
    expect(columns).toEqual({
      click_id: 'text',
      account_id: 'text',
      campaign_id: 'text',
      traffic_channel_id: 'text',
      traffic_channel_template: 'text',
      offer_id: 'text',
      offer_source_id: 'text?',
      tracking_method: 'text',
      sc_click_id: 'text?',
      ip: 'text?',
      user_agent: 'text?',
      referrer: 'text?',
      landing_url: 'text?',
      params: 'jsonb',
      clicked_at: 'timestamptz',
      extra: 'text',
    });
  });
});
