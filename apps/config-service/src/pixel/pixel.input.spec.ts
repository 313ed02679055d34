import { SNAP_EVENT_NAMES } from '@snaptrack/contracts-events';
import { accessToken, eventMapping, snapEventName, snapPixelId } from './pixel.input';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return { code: (e as { extensions?: { code?: string } }).extensions?.code, message: (e as Error).message };
  }
  return null;
};

describe('pixel input rules', () => {
  it('accepts a Snap pixel id in any case and returns it lowercase', () => {
    expect(snapPixelId(' 0F1E2D3C-4B5A-4978-8796-A5B4C3D2E1F0 ')).toBe('0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0');
  });

  it.each([
    '',
    'abc',
    '0f1e2d3c4b5a497887 96a5b4c3d2e1f0',
    '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f',
    '{0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0}',
    '00000000-0000-0000-0000-000000000000',
  ])('rejects the pixel id %j as BAD_USER_INPUT', (v) => {
    expect(code(() => snapPixelId(v))).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('trims a pasted token, rejects empty or spaced ones, and never echoes it', () => {
    expect(accessToken('  abc.def-123\n')).toBe('abc.def-123');
    expect(code(() => accessToken(' \t'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('must not be empty'),
    });
    const spaced = code(() => accessToken('s3cr3t with space'));
    expect(spaced?.message).not.toContain('s3cr3t');
    expect(code(() => accessToken('x'.repeat(4097)))).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('accepts every Snap event name exactly as spelled, including the custom slots', () => {
    for (const n of SNAP_EVENT_NAMES) expect(snapEventName(n)).toBe(n);
  });

  it.each([
    ['ADD_TO_CART', 'did you mean ADD_CART?'],
    ['SPEND_CREDITS', 'did you mean SPENT_CREDITS?'],
    ['sign up', 'did you mean SIGN_UP?'],
    ['Purchase', 'did you mean PURCHASE?'],
    ['CUSTOM_EVENT_6', 'Use one of: PURCHASE'],
  ])('rejects %s with a hint (%s)', (name, hint) => {
    expect(code(() => snapEventName(name))?.message).toContain(hint);
  });

  it('refuses a conversion type mapped twice on one pixel', () => {
    const id = '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0';
    expect(eventMapping([{ conversionTypeId: id.toUpperCase(), snapEventName: 'PURCHASE' }])).toEqual([
      { conversionTypeId: id, snapEventName: 'PURCHASE' },
    ]);
    expect(
      code(() =>
        eventMapping([
          { conversionTypeId: id, snapEventName: 'PURCHASE' },
          { conversionTypeId: id, snapEventName: 'SIGN_UP' },
        ]),
      ),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('at most one Snapchat event per pixel'),
    });
  });
});
