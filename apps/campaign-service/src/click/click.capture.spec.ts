import { pickWeighted } from './click.capture';

describe('pickWeighted', () => {
  const items = [
    { id: 'a', weight: 3 },
    { id: 'b', weight: 1 },
  ];
  it.each([
    [0, 'a'],
    [0.74, 'a'],
    [0.75, 'b'],
    [0.9999, 'b'],
  ])('rand %p → %s', (rand, id) => {
    expect(pickWeighted(items, rand).id).toBe(id);
  });

  it('returns the only item', () => {
    expect(pickWeighted([{ id: 'x', weight: 100 }], 0.5).id).toBe('x');
  });
});
