import type { ClickRecordedV1 } from '@snaptrack/contracts-events';
import type { Message } from 'kafkajs';
import { ClickNotRecorded, ClickPublisher } from './click.publisher';

const click: ClickRecordedV1.Value = {
  schema: 'click.recorded.v1',
  click_id: 'AAAAAAAAAAAAAAAAAAAAAA',
  account_id: 'acc',
  campaign_id: 'cmp',
  traffic_channel_id: 'tc',
  traffic_channel_template: 'snapchat',
  offer_id: 'of',
  offer_source_id: null,
  tracking_method: 'redirect',
  sc_click_id: null,
  ip: null,
  user_agent: null,
  referrer: null,
  landing_url: null,
  params: {},
  clicked_at: new Date().toISOString(),
};

describe('ClickPublisher', () => {
  it('resolves after the send resolves, keyed by click id', async () => {
    const sent: Array<[string, Message]> = [];
    await new ClickPublisher(async (t, m) => void sent.push([t, m]), 'topic', 1000).publish(click);
    expect(sent).toHaveLength(1);
    expect(sent[0][0]).toBe('topic');
    expect(sent[0][1].key).toBe(click.click_id);
    expect(JSON.parse(String(sent[0][1].value))).toEqual(click);
  });

  it('gives up after the timeout when the broker does not acknowledge', async () => {
    const started = Date.now();
    await expect(
      new ClickPublisher(() => new Promise<void>(() => undefined), 'topic', 50).publish(click),
    ).rejects.toBeInstanceOf(ClickNotRecorded);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('turns a failed produce into ClickNotRecorded', async () => {
    await expect(
      new ClickPublisher(() => Promise.reject(new Error('broker down')), 'topic', 1000).publish(click),
    ).rejects.toThrow(/broker down/);
  });

  it('refuses a click that breaks the contract before sending anything', async () => {
    const send = jest.fn(async () => undefined);
    await expect(new ClickPublisher(send, 'topic', 1000).publish({ ...click, click_id: 'short' })).rejects.toThrow(
      /click_id/,
    );
    expect(send).not.toHaveBeenCalled();
  });
});
