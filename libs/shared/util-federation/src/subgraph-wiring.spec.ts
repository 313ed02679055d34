import { wiredContainer } from './subgraph-wiring';

class Wired {}
class Forgotten {}

describe('wiredContainer', () => {
  it('hands out the instance a server wired, and names the service for a class it was not given', () => {
    const instance = new Wired();
    const container = wiredContainer('x-service', new Map<Function, unknown>([[Wired, instance]]));
    expect(container.get(Wired, {} as never)).toBe(instance);
    expect(() => container.get(Forgotten, {} as never)).toThrow('x-service: no instance wired for Forgotten');
  });
});
