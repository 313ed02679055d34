import { hostname } from './tracking-domain.input';

describe('tracking domain hostname', () => {
  it.each([
    ['trk.example.com', 'trk.example.com'],
    ['TRK.Example.COM.', 'trk.example.com'],
    ['a-b.c-d.example.co.uk', 'a-b.c-d.example.co.uk'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['LocalHost', 'localhost'],
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]', '::1'],
  ])('accepts %s as %s', (raw, expected) => {
    expect(hostname(raw)).toBe(expected);
  });

  it.each([
    ['', 'must not be empty'],
    ['https://trk.example.com', 'without http://'],
    ['trk.example.com/path', 'without a port, path'],
    ['trk.example.com:443', 'without a port'],
    ['example', 'at least two labels'],
    ['-trk.example.com', 'each label'],
    ['trk..example.com', 'each label'],
    ['192.168.0.1', 'real top-level domain'],
    ['127.0.0.2', 'real top-level domain'],
    ['localhost:8080', 'without a port'],
    [`${'a'.repeat(64)}.example.com`, 'each label'],
  ])('rejects %j (%s)', (raw, message) => {
    expect(() => hostname(raw)).toThrow(expect.objectContaining({ message: expect.stringContaining(message) }));
  });
});
