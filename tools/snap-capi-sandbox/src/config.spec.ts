import { loadSandboxEnv } from './config';
import { PixelRegistry, parsePixelList } from './pixels';

const A = '5bf81ee1-15b1-4dc1-b636-d7dae49b950e';
const B = '0c6a9a3e-8f0e-4d6b-9a57-4a1f2c3d4e5f';

describe('loadSandboxEnv', () => {
  it('defaults: port 4010, 127.0.0.1, no pixels, non-strict, no request log', () => {
    expect(loadSandboxEnv({})).toEqual({
      options: { port: 4010, host: '127.0.0.1', pixels: {}, strictPixels: false },
      logRequests: false,
    });
  });

  it('reads every key', () => {
    const config = loadSandboxEnv({
      SANDBOX_PORT: '0',
      SANDBOX_HOST: '0.0.0.0',
      SANDBOX_PIXELS: ` ${A.toUpperCase()}=tok=a , ${B}=tok-b `,
      SANDBOX_STRICT_PIXELS: 'true',
      SANDBOX_LOG_REQUESTS: 'true',
      SANDBOX_MAX_BODY_BYTES: '1000000',
    });
    expect(config).toEqual({
      options: {
        port: 0,
        host: '0.0.0.0',
        pixels: { [A]: 'tok=a', [B]: 'tok-b' },
        strictPixels: true,
        maxBodyBytes: 1000000,
      },
      logRequests: true,
    });
  });

  it('lists every bad key in one error and never prints a token', () => {
    let message = '';
    try {
      loadSandboxEnv({ SANDBOX_PORT: '70000', SANDBOX_STRICT_PIXELS: 'yes', SANDBOX_PIXELS: 'super-secret-token' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/SANDBOX_PORT/);
    expect(message).toMatch(/SANDBOX_STRICT_PIXELS/);
    expect(message).toMatch(/SANDBOX_PIXELS entry 1/);
    expect(message).not.toContain('super-secret-token');
  });

  it('rejects a pixel with an empty token', () => {
    expect(() => parsePixelList(`${A}=`)).toThrow(/has no token/);
  });
});

describe('PixelRegistry.authorize', () => {
  it('orders checks: token present (401), pixel shape (404), ownership (401/403), strict unknown (404)', () => {
    const registry = new PixelRegistry({ [A]: 'tok-a' }, true);
    expect(registry.authorize(A, undefined)).toMatchObject({ ok: false, status: 401, code: 'MISSING_ACCESS_TOKEN' });
    expect(registry.authorize('nope', 'tok-a')).toMatchObject({ ok: false, status: 404, code: 'INVALID_PIXEL_ID' });
    expect(registry.authorize(A, 'tok-x')).toMatchObject({ ok: false, status: 401, code: 'INVALID_ACCESS_TOKEN' });
    expect(registry.authorize(B, 'tok-a')).toMatchObject({ ok: false, status: 404, code: 'UNKNOWN_PIXEL' });
    expect(registry.authorize(A.toUpperCase(), 'tok-a')).toEqual({ ok: true, pixelId: A, pinned: false });
  });

  it('one organisation token may serve several pixels; a token of another organisation gets 403', () => {
    const registry = new PixelRegistry({ [A]: 'org-1', [B]: 'org-2' }, true);
    registry.register('a0a0a0a0-0000-4000-8000-000000000000', 'org-1');
    expect(registry.authorize('a0a0a0a0-0000-4000-8000-000000000000', 'org-1').ok).toBe(true);
    expect(registry.authorize(A, 'org-2')).toMatchObject({ ok: false, status: 403, code: 'PIXEL_NOT_OWNED' });
  });

  it('reset() drops pinned pixels, reset(true) also admin ones, and keeps start-up pixels', () => {
    const registry = new PixelRegistry({ [A]: 'tok-a' }, false);
    registry.authorize(B, 'pinned-token');
    registry.register('a0a0a0a0-0000-4000-8000-000000000000', 'admin-token');
    registry.reset();
    expect(
      registry
        .list()
        .map((p) => p.source)
        .sort(),
    ).toEqual(['admin', 'config']);
    registry.reset(true);
    expect(registry.list()).toEqual([{ pixel_id: A, source: 'config' }]);
  });
});
