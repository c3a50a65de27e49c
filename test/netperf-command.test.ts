// Tests the netperf/netserver command lines against netperf 2.7.0's selector list and the commands the fixtures were captured with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { expectedKeys, netperfArgs, netserverArgs, NETPERF_TESTS, type NetperfCommand } from '../src/tools/netperf/index.ts';

const FIXTURES = new URL('./fixtures/netperf/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

const STREAM_KEYS = 'THROUGHPUT,THROUGHPUT_UNITS,ELAPSED_TIME,PROTOCOL,DIRECTION,LOCAL_TRANSPORT_RETRANS';
const TCP_RR_KEYS =
  'THROUGHPUT,THROUGHPUT_UNITS,ELAPSED_TIME,PROTOCOL,DIRECTION,TRANSACTION_RATE,MEAN_LATENCY,P50_LATENCY,P90_LATENCY,P99_LATENCY,STDDEV_LATENCY,LOCAL_TRANSPORT_RETRANS';
const UDP_RR_KEYS =
  'THROUGHPUT,THROUGHPUT_UNITS,ELAPSED_TIME,PROTOCOL,DIRECTION,TRANSACTION_RATE,MEAN_LATENCY,P50_LATENCY,P90_LATENCY,P99_LATENCY,STDDEV_LATENCY';

const base = { host: '127.0.0.1', port: 12865, durationS: 1 } as const;

test('netperfArgs: tcp_stream', () => {
  assert.deepEqual(netperfArgs({ ...base, test: 'tcp_stream' }), [
    'netperf', '-H', '127.0.0.1', '-p', '12865', '-t', 'TCP_STREAM', '-l', '1', '-P', '0', '-j', '--', '-k', STREAM_KEYS,
  ]);
});

test('netperfArgs: tcp_rr', () => {
  assert.deepEqual(netperfArgs({ ...base, test: 'tcp_rr' }), [
    'netperf', '-H', '127.0.0.1', '-p', '12865', '-t', 'TCP_RR', '-l', '1', '-P', '0', '-j', '--', '-r', '1,1', '-k', TCP_RR_KEYS,
  ]);
});

test('netperfArgs: udp_rr', () => {
  assert.deepEqual(netperfArgs({ ...base, test: 'udp_rr' }), [
    'netperf', '-H', '127.0.0.1', '-p', '12865', '-t', 'UDP_RR', '-l', '1', '-P', '0', '-j', '--', '-r', '1,1', '-k', UDP_RR_KEYS,
  ]);
});

test('netperfArgs: host, port and duration are passed through', () => {
  const argv = netperfArgs({ test: 'tcp_rr', host: 'fd00::2', port: 20000, durationS: 30 });
  assert.deepEqual(argv.slice(0, 9), ['netperf', '-H', 'fd00::2', '-p', '20000', '-t', 'TCP_RR', '-l', '30']);
});

test('netperfArgs is the command the -k fixtures were captured with', () => {
  // capture.log lines read "<fixture> exit=<code> : <command>".
  const log = new Map(
    fixture('capture.log')
      .split('\n')
      .map((l) => /^(\S+) exit=(\d+) : (.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] ?? '', { exit: Number(m[2]), command: m[3] ?? '' }]),
  );
  for (const t of NETPERF_TESTS) {
    const entry = log.get(`${t}.keyval`);
    assert.ok(entry, `capture.log has ${t}.keyval`);
    assert.equal(entry.exit, 0);
    // TCP_CRR was captured with its data connection on a fixed server port, as a test through a Service runs it.
    assert.equal(entry.command, netperfArgs({ ...base, test: t, ...(t === 'tcp_crr' ? { dataPort: 12866 } : {}) }).join(' '));
  }
});

test('netperfArgs: tcp_crr is a request/response test over TCP; a fixed data port is a test-specific -P ,port', () => {
  assert.deepEqual(netperfArgs({ ...base, test: 'tcp_crr', dataPort: 12866 }), [
    'netperf', '-H', '127.0.0.1', '-p', '12865', '-t', 'TCP_CRR', '-l', '1', '-P', '0', '-j', '--', '-r', '1,1', '-P', ',12866', '-k', TCP_RR_KEYS,
  ]);
  assert.throws(() => netperfArgs({ ...base, test: 'tcp_rr', dataPort: 70000 }), /port must be 1-65535/);
});

test('expectedKeys: RR tests add latency, TCP tests add retransmissions', () => {
  assert.deepEqual(expectedKeys('tcp_stream'), STREAM_KEYS.split(','));
  assert.deepEqual(expectedKeys('tcp_rr'), TCP_RR_KEYS.split(','));
  assert.deepEqual(expectedKeys('udp_rr'), UDP_RR_KEYS.split(','));
});

test('every selector we request exists in netperf 2.7.0 (it drops unknown ones silently)', () => {
  // selectors.stdout is `netperf -t omni -- -k '?'`: one comma-separated line.
  const known = new Set(fixture('selectors.stdout').trim().split(','));
  assert.ok(known.has('P99_LATENCY') && known.size > 100, 'fixture is the full selector list');
  for (const t of NETPERF_TESTS) {
    for (const key of expectedKeys(t)) assert.ok(known.has(key), `${key} is a netperf 2.7.0 selector`);
  }
});

test('netserverArgs: foreground netserver on the given port', () => {
  assert.deepEqual(netserverArgs(12865), ['netserver', '-D', '-p', '12865']);
  assert.deepEqual(netserverArgs(20001), ['netserver', '-D', '-p', '20001']);
});

test('netperfArgs refuses arguments netperf would misread', () => {
  const bad: Array<Partial<NetperfCommand>> = [
    { durationS: 0 },
    { durationS: -5 }, // a negative -l is a transaction/byte count, not seconds
    { durationS: 1.5 }, // netperf atoi()s -l: would run 1 s
    { port: 0 },
    { port: 65536 },
    { port: 80.5 },
    { host: '' },
    { host: '-d' },
    { host: '10.0.0.1,4' }, // netperf reads ",4" as the address family
    { host: '10.0.0.1 10.0.0.2' },
  ];
  for (const override of bad) {
    assert.throws(() => netperfArgs({ ...base, test: 'tcp_rr', ...override }), RangeError, JSON.stringify(override));
  }
  assert.throws(() => netserverArgs(0), RangeError);
  assert.throws(() => netserverArgs(70000), RangeError);
});

test('netperfArgs: pinned ends (-T) and service demand (-c -C) add their options and selectors', () => {
  const argv = netperfArgs({ ...base, test: 'tcp_rr', cpus: { local: 0, remote: 1 }, serviceDemand: true });
  const dash = argv.indexOf('--');
  assert.deepEqual(argv.slice(dash - 4, dash), ['-T', '0,1', '-c', '-C']);
  const keys = argv.at(-1)!.split(',');
  for (const k of ['LOCAL_SD', 'REMOTE_SD', 'SD_UNITS', 'LOCAL_CPU_UTIL', 'LOCAL_CPU_BIND', 'REMOTE_CPU_BIND']) assert.ok(keys.includes(k), k);
  assert.ok(!netperfArgs({ ...base, test: 'tcp_rr' }).includes('-T'), 'unpinned by default');
  assert.throws(() => netperfArgs({ ...base, test: 'tcp_rr', cpus: { local: -1, remote: 0 } }), RangeError);
  assert.throws(() => netperfArgs({ ...base, test: 'tcp_rr', cpus: { local: 0.5, remote: 0 } }), RangeError);
});
