const { parseStat, parseMachine, classify, sample, usage, quietness, cpuLine } = require('../../bench/cpu.js');

/** A sample as tools/bench/cpu.js takes them: machine ticks and { 'pid:start': { party, ticks } }. */
const at = (atMs: number, busy: number, procs: Record<string, [string, number]>) => ({
  atMs,
  machine: { total: busy * 2, busy },
  procs: Object.fromEntries(Object.entries(procs).map(([k, [party, ticks]]) => [k, { party, ticks }])),
});

describe('bench CPU accounting (tools/bench/cpu.js)', () => {
  it('reads utime + stime and the start time of /proc/<pid>/stat, whatever the comm holds', () => {
    const rest = 'S 1 2 3 0 -1 4194304 100 0 0 0 250 50 7 8 20 0 4 0 987654 1000 10';
    expect(parseStat(`42 (java) ${rest}`)).toEqual({ comm: 'java', ticks: 300, start: '987654' });
    expect(parseStat(`43 (a) b (c) ${rest}`)).toEqual({ comm: 'a) b (c', ticks: 300, start: '987654' });
  });

  it('counts busy machine time as total − idle − iowait, without the guest time again', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    expect(parseMachine('cpu  100 5 40 800 30 2 3 0 60 0\ncpu0 1 2 3\n')).toEqual({ total: 980, busy: 150 });
  });

  it('finds postgres processes by comm or cmdline and the broker by kafka.Kafka in a java cmdline', () => {
    expect(classify('postgres', '')).toBe('postgres');
    expect(classify('postmaster', 'postgres: 15/main: checkpointer')).toBe('postgres');
    expect(classify('postmaster', '/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql')).toBe('postgres');
    expect(classify('java', '/usr/bin/java -Xmx512m -cp libs/* kafka.Kafka config/server.properties')).toBe('kafka');
    expect(classify('java', '/usr/bin/java -jar other.jar')).toBeNull();
    expect(classify('bash', 'bash tools/kafka/kafka.sh start kafka.Kafka')).toBeNull();
    expect(classify('node', 'node apps/campaign-service/dist/main.js')).toBeNull();
  });

  it('turns the samples of a window into cores per party, highest first', () => {
    const hz = 100;
    const samples = [
      at(0, 1000, {
        '10:1': ['campaign-service', 500],
        '20:1': ['postgres', 100],
        '21:1': ['postgres', 40], // a backend that ends within the window
        '30:1': ['kafka', 900],
      }),
      at(1000, 1150, {
        '10:1': ['campaign-service', 590],
        '20:1': ['postgres', 120],
        '21:1': ['postgres', 70],
        '22:5': ['postgres', 15], // a backend opened within the window: counted from 0
        '30:1': ['kafka', 910],
      }),
      at(2000, 1340, {
        '10:1': ['campaign-service', 690],
        '20:1': ['postgres', 150],
        '22:5': ['postgres', 36],
        '30:1': ['kafka', 930],
        '10:9': ['gone and reused', 4], // pid 10 again, another process: its own key
      }),
    ];
    const u = usage(samples, { hz, extra: { 'load generator': 0.6 }, machineCores: 2 });
    // campaign-service 190 ticks; postgres 50 + 30 (until last seen) + 36 (from 0); kafka 30; load 0.6 s; over 2 s
    expect(u).toEqual({
      window_s: 2,
      cores: {
        'campaign-service': 0.95,
        postgres: 0.58,
        'load generator': 0.3,
        kafka: 0.15,
        'gone and reused': 0.02,
      },
      machine_busy_cores: 1.7,
      machine_cores: 2,
    });
    expect(Object.keys(u.cores)).toEqual([
      'campaign-service',
      'postgres',
      'load generator',
      'kafka',
      'gone and reused',
    ]);
  });

  it('gives no cores for an empty window instead of dividing by zero', () => {
    const one = at(5, 10, { '1:1': ['x', 3] });
    expect(usage([one, one], { hz: 100, machineCores: 2 })).toEqual({
      window_s: 0,
      cores: { x: 0 },
      machine_busy_cores: 0,
      machine_cores: 2,
    });
  });

  it('calls the platform quiet only when the services together and the whole machine are under their limits', () => {
    const u = (cores: Record<string, number>, machine: number) => ({
      window_s: 1,
      cores,
      machine_busy_cores: machine,
      machine_cores: 2,
    });
    const services = ['campaign-service', 'snapchat-capi-dispatcher'];
    expect(
      quietness(u({ 'campaign-service': 0.12, 'snapchat-capi-dispatcher': 0.12, kafka: 0.5 }, 0.55), services),
    ).toEqual({ quiet: true, services_cores: 0.24, machine_busy_cores: 0.55 });
    expect(quietness(u({ 'campaign-service': 0.13, 'snapchat-capi-dispatcher': 0.12 }, 0.3), services).quiet).toBe(
      false,
    );
    expect(quietness(u({ 'campaign-service': 0.01 }, 0.6), services).quiet).toBe(false);
  });

  it('prints one line per scenario: parties from the highest, those under 0.02 cores left out', () => {
    const cpu = {
      window_s: 10.02,
      cores: { kafka: 0.22, 'campaign-service': 0.93, 'config-service': 0.01, postgres: 0.41, 'load generator': 0.3 },
      machine_busy_cores: 1.95,
      machine_cores: 2,
    };
    expect(cpuLine('click → 302', cpu)).toBe(
      'cpu click → 302: campaign-service 0.93, postgres 0.41, load generator 0.30, kafka 0.22 of 2 cores ' +
        '(machine busy 1.95, 10.02 s)',
    );
  });

  it('samples a live process by pid (Linux /proc)', () => {
    const s = sample({ me: process.pid }, { discover: false });
    const mine = Object.entries(s.procs).filter(([k]) => k.startsWith(`${process.pid}:`));
    expect(mine).toHaveLength(1);
    expect(mine[0][1]).toMatchObject({ party: 'me' });
    expect(s.machine.busy).toBeGreaterThan(0);
  });
});
