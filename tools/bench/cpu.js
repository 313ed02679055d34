// CPU accounting of `npm run bench`: how many cores each party used during a scenario's window, and the wait for a
// quiet platform before it. Everything comes from /proc (Linux):
//   services         /proc/<pid>/stat utime + stime of each platform service (by name; the caller gives the pids)
//   postgres         the sum over every process whose comm is `postgres` or whose cmdline starts with postgres (the
//                    server, its auxiliary processes and every backend)
//   kafka            the java process whose cmdline contains kafka.Kafka
//   machine          /proc/stat's `cpu` line: busy = total − idle − iowait
// A process that is in the window's first sample counts from its CPU time there; one that appears later (a backend
// opened by a pool, a restarted service) started within the window and counts from 0; one that vanishes counts until
// the last sample that saw it, so what it used between that sample and its exit (at most one sampling interval) is
// lost. Processes are told apart by pid and start time, so a reused pid is a new process. A process can report its
// own CPU time instead (`meter.add`: the load generator, which exits at the end of its window, and bench.js).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const { performance } = require('node:perf_hooks');
const { round } = require('./stats');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 when it cannot be asked). */
function clockTicks() {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** /proc/<pid>/stat → { comm, ticks: utime + stime, start: starttime } (the comm may hold spaces and parentheses). */
function parseStat(text) {
  const close = text.lastIndexOf(')');
  // after "pid (comm) ", fields[0] is field 3 (state): utime is field 14, stime 15, starttime 22
  const fields = text.slice(close + 2).split(' ');
  return {
    comm: text.slice(text.indexOf('(') + 1, close),
    ticks: Number(fields[11]) + Number(fields[12]),
    start: fields[19],
  };
}

/** /proc/stat → { total, busy } in ticks (guest time is already inside user and nice, so it is not added again). */
function parseMachine(text) {
  const v = text.split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return { total, busy: total - v[3] - (v[4] || 0) };
}

/** The party of a process found by the /proc scan: 'postgres', 'kafka' or null (`cmdline` with NULs as spaces). */
function classify(comm, cmdline) {
  const argv0 = cmdline.split(' ')[0] || '';
  if (comm === 'postgres' || /^postgres(:|$)/.test(argv0) || argv0.endsWith('/postgres')) return 'postgres';
  if ((comm === 'java' || argv0.endsWith('/java') || argv0 === 'java') && cmdline.includes('kafka.Kafka'))
    return 'kafka';
  return null;
}

const read = (file) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null; // the process is gone
  }
};

/** The party of each process the scan classified (by pid:start), so its cmdline is read only once. */
const partyCache = new Map();

/**
 * One sample: { atMs, machine, procs: { 'pid:start': { party, ticks } } }. `named` maps a party to a pid or a list of
 * pids (services, the bare 302 server); with `discover`, /proc is scanned for postgres and kafka as well.
 */
function sample(named, { discover = true } = {}) {
  const atMs = performance.now();
  const machine = parseMachine(fs.readFileSync('/proc/stat', 'utf8'));
  const procs = {};
  const byPid = new Map();
  for (const [party, pids] of Object.entries(named)) for (const pid of [pids].flat()) byPid.set(String(pid), party);
  const pids = discover ? fs.readdirSync('/proc').filter((f) => /^\d+$/.test(f)) : [...byPid.keys()];
  for (const pid of pids) {
    const text = read(`/proc/${pid}/stat`);
    if (!text) continue;
    const st = parseStat(text);
    const key = `${pid}:${st.start}`;
    let party = byPid.get(pid);
    if (!party) {
      if (!partyCache.has(key)) {
        const cmdline = st.comm === 'postgres' ? '' : (read(`/proc/${pid}/cmdline`) || '').replace(/\0/g, ' ');
        partyCache.set(key, classify(st.comm, cmdline));
      }
      party = partyCache.get(key);
    }
    if (party) procs[key] = { party, ticks: st.ticks };
  }
  return { atMs, machine, procs };
}

/**
 * Cores used between the first and the last of `samples` (in the order taken, over one window), see the top of this
 * file for processes that appear or vanish. `hz`: clock ticks per second; `extra`: { party: CPU seconds } a process
 * reported for itself over the same window. Returns { window_s, cores (highest first), machine_busy_cores,
 * machine_cores }.
 */
function usage(samples, { hz, extra = {}, machineCores = os.cpus().length }) {
  const first = samples[0];
  const last = samples[samples.length - 1];
  const windowS = (last.atMs - first.atMs) / 1000;
  const lastSeen = new Map();
  for (const s of samples) for (const [key, p] of Object.entries(s.procs)) lastSeen.set(key, p);
  const seconds = { ...extra };
  for (const [key, p] of lastSeen) {
    const from = first.procs[key]?.ticks ?? 0;
    seconds[p.party] = (seconds[p.party] || 0) + Math.max(0, p.ticks - from) / hz;
  }
  const perCore = (s) => (windowS > 0 ? round(s / windowS) : 0);
  const cores = Object.fromEntries(
    Object.entries(seconds)
      .map(([party, s]) => [party, perCore(s)])
      .sort((a, b) => b[1] - a[1]),
  );
  return {
    window_s: round(windowS),
    cores,
    machine_busy_cores: perCore((last.machine.busy - first.machine.busy) / hz),
    machine_cores: machineCores,
  };
}

/**
 * A quiet platform: the services together under 0.25 cores and the machine under 0.6 busy cores. Idle, the services
 * use about 0.1 cores (consumer long-polls, pollers) and the broker about 0.05; the tail a scenario leaves (e.g. the
 * conversion-service consuming the backlog's delivery results) takes a whole core.
 */
const QUIET = { services: 0.25, machine: 0.6 };

/** Whether the window's `usage` counts as quiet: the `services` together and the whole machine under their limits. */
function quietness(u, services, { maxServiceCores = QUIET.services, maxMachineCores = QUIET.machine } = {}) {
  const servicesCores = round(services.reduce((a, name) => a + (u.cores[name] || 0), 0));
  return {
    quiet: servicesCores < maxServiceCores && u.machine_busy_cores < maxMachineCores,
    services_cores: servicesCores,
    machine_busy_cores: u.machine_busy_cores,
  };
}

/**
 * Waits until the services (`services()`: { name: pid }) together use under `maxServiceCores` and the machine under
 * `maxMachineCores` busy cores over one `windowMs` window (back to back, so it waits at least one window), for at most
 * `timeoutS`. Never throws for a busy machine: returns { waited_s, quiet, services_cores, machine_busy_cores } of the
 * last window.
 */
async function waitQuiet({
  services,
  timeoutS,
  hz,
  windowMs = 1000,
  maxServiceCores = QUIET.services,
  maxMachineCores = QUIET.machine,
}) {
  const t0 = performance.now();
  let prev = sample(services(), { discover: false });
  for (;;) {
    await sleep(windowMs);
    const names = Object.keys(services());
    const next = sample(services(), { discover: false });
    const q = quietness(usage([prev, next], { hz }), names, { maxServiceCores, maxMachineCores });
    const waited = (performance.now() - t0) / 1000;
    if (q.quiet || waited >= timeoutS) return { waited_s: round(waited), ...q };
    prev = next;
  }
}

/**
 * Samples the parties over one window: start() takes the first sample and one every `intervalMs`, add(party,
 * seconds) counts CPU time a process reported for itself, stop() takes the last sample and returns usage() (with
 * bench.js's own CPU time as the party 'bench.js'). `named()`: { party: pid(s) } at each sample.
 */
function cpuMeter({ named, hz, intervalMs = 1000 }) {
  let samples = [];
  let timer = null;
  let self = null;
  const extra = {};
  const take = () => samples.push(sample(named()));
  return {
    get running() {
      return timer !== null;
    },
    start() {
      samples = [];
      take();
      self = process.cpuUsage();
      timer = setInterval(take, intervalMs);
      timer.unref();
    },
    add(party, seconds) {
      extra[party] = (extra[party] || 0) + seconds;
    },
    stop() {
      if (timer === null) return null;
      clearInterval(timer);
      timer = null;
      const own = process.cpuUsage(self);
      take();
      return usage(samples, { hz, extra: { ...extra, 'bench.js': (own.user + own.system) / 1e6 } });
    },
  };
}

/** The printed line of a scenario's `cpu`: parties from the highest, those under `min` cores left out. */
function cpuLine(name, cpu, min = 0.02) {
  const parts = Object.entries(cpu.cores)
    .filter(([, c]) => c >= min)
    .sort((a, b) => b[1] - a[1])
    .map(([party, c]) => `${party} ${c.toFixed(2)}`);
  return (
    `cpu ${name}: ${parts.join(', ') || 'no party above ' + min} of ${cpu.machine_cores} cores ` +
    `(machine busy ${cpu.machine_busy_cores.toFixed(2)}, ${cpu.window_s} s)`
  );
}

module.exports = {
  QUIET,
  clockTicks,
  parseStat,
  parseMachine,
  classify,
  sample,
  usage,
  quietness,
  waitQuiet,
  cpuMeter,
  cpuLine,
};
