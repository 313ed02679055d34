import { createSocket, type Socket } from 'node:dgram';

/**
 * A tiny authoritative UDP DNS responder for tests: answers TXT queries for the names a test registers, NOERROR with
 * no answer for other types of a registered name, NXDOMAIN for anything else. Point a resolver at `server`
 * (`127.0.0.1:<port>`).
 */
export interface TestDnsServer {
  server: string;
  port: number;
  /** Sets (replaces) the TXT strings of `name`; an empty list keeps the name with no TXT record. */
  setTxt(name: string, values: string[]): void;
  remove(name: string): void;
  /** Names queried so far (lowercase), for assertions. */
  queries: string[];
  close(): Promise<void>;
}

const TXT = 16;
const norm = (name: string) => name.toLowerCase().replace(/\.$/, '');

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  while (i < msg.length && msg[i] !== 0) {
    if ((msg[i] & 0xc0) !== 0) throw new Error('compressed names are not expected in a question');
    labels.push(msg.toString('latin1', i + 1, i + 1 + msg[i]));
    i += msg[i] + 1;
  }
  return { name: labels.join('.'), end: i + 1 };
}

function answer(query: Buffer, records: Map<string, string[]>, seen: string[]): Buffer | null {
  if (query.length < 12) return null;
  const { name, end } = readName(query, 12);
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  seen.push(norm(name));
  const txt = records.get(norm(name));
  const rdatas =
    txt && qtype === TXT ? txt.map((v) => Buffer.concat([Buffer.from([Buffer.byteLength(v)]), Buffer.from(v)])) : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  const rd = query[2] & 0x01;
  header[2] = 0x84 | rd; // QR, AA, RD copied
  header[3] = 0x80 | (txt ? 0 : 3); // RA, rcode NOERROR or NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rdatas.length, 6);
  const answers = rdatas.map((rdata) => {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
    rr.writeUInt16BE(TXT, 2);
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(1, 6); // TTL 1 s
    rr.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([rr, rdata]);
  });
  return Buffer.concat([header, question, ...answers]);
}

export async function startTestDnsServer(): Promise<TestDnsServer> {
  const records = new Map<string, string[]>();
  const queries: string[] = [];
  const socket: Socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let reply: Buffer | null = null;
    try {
      reply = answer(msg, records, queries);
    } catch {
      reply = null;
    }
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  return {
    server: `127.0.0.1:${port}`,
    port,
    setTxt: (name, values) => void records.set(norm(name), values),
    remove: (name) => void records.delete(norm(name)),
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
