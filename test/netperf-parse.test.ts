// Tests the netperf output parsers on output captured from netperf 2.7.0 (test/fixtures/netperf, see its README).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { netperfOutcome } from '../src/tools/netperf/outcome.ts';
import {
  expectedKeys,
  netperfRecordFromValues,
  NetperfParseError,
  NETPERF_TESTS,
  parseNetperfClassic,
  parseNetperfCsv,
  parseNetperfError,
  parseNetperfKeyval,
  type NetperfRecord,
  type NetperfTest,
} from '../src/tools/netperf/index.ts';

const FIXTURES = new URL('./fixtures/netperf/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

/** The value of KEY in -k output, read with a plain regex rather than the parser. */
function kv(text: string, key: string): string {
  const m = new RegExp(`^${key}=(.*)$`, 'm').exec(text);
  assert.ok(m, `fixture has ${key}`);
  return m[1] ?? '';
}

/** Asserts `fn` throws a NetperfParseError whose message contains every one of `parts`; returns it. */
function throwsParse(fn: () => unknown, ...parts: string[]): NetperfParseError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof NetperfParseError, `expected NetperfParseError, got ${String(caught)}`);
  for (const p of parts) assert.ok(caught.message.includes(p), `message ${JSON.stringify(caught.message)} should contain ${JSON.stringify(p)}`);
  return caught;
}

// ---- -k (key=value) output: what the stage runs ----

const KEYVAL_EXPECTED: Record<NetperfTest, NetperfRecord> = {
  tcp_stream: {
    test: 'tcp_stream',
    throughput: 22226.42,
    throughputUnits: '10^6bits/s',
    elapsedS: 1,
    localRetransmissions: 2,
    warnings: [],
  },
  tcp_rr: {
    test: 'tcp_rr',
    throughput: 20978.31,
    throughputUnits: 'Trans/s',
    elapsedS: 1,
    transactionRate: 20978.309,
    meanLatencyUs: 47.61,
    p50LatencyUs: 52,
    p90LatencyUs: 59,
    p99LatencyUs: 80,
    stddevLatencyUs: 30.18,
    localRetransmissions: 0,
    warnings: [],
  },
  udp_rr: {
    test: 'udp_rr',
    throughput: 19698.79,
    throughputUnits: 'Trans/s',
    elapsedS: 1,
    transactionRate: 19698.793,
    meanLatencyUs: 50.71,
    p50LatencyUs: 51,
    p90LatencyUs: 57,
    p99LatencyUs: 73,
    stddevLatencyUs: 18.75,
    warnings: [],
  },
  tcp_crr: {
    test: 'tcp_crr',
    throughput: 15529.37,
    throughputUnits: 'Trans/s',
    elapsedS: 1,
    transactionRate: 15529.369,
    meanLatencyUs: 64.31,
    p50LatencyUs: 54,
    p90LatencyUs: 100,
    p99LatencyUs: 160,
    stddevLatencyUs: 39.67,
    localRetransmissions: 0,
    warnings: [],
  },
};

const FIELD_OF_KEY: Record<string, keyof NetperfRecord> = {
  THROUGHPUT: 'throughput',
  THROUGHPUT_UNITS: 'throughputUnits',
  ELAPSED_TIME: 'elapsedS',
  TRANSACTION_RATE: 'transactionRate',
  MEAN_LATENCY: 'meanLatencyUs',
  P50_LATENCY: 'p50LatencyUs',
  P90_LATENCY: 'p90LatencyUs',
  P99_LATENCY: 'p99LatencyUs',
  STDDEV_LATENCY: 'stddevLatencyUs',
  LOCAL_TRANSPORT_RETRANS: 'localRetransmissions',
};

for (const t of NETPERF_TESTS) {
  test(`keyval: ${t} fixture parses to the numbers in the file`, () => {
    const text = fixture(`${t}.keyval.stdout`);
    assert.equal(fixture(`${t}.keyval.stderr`), '');
    const record = parseNetperfKeyval(text, t);
    assert.deepEqual(record, KEYVAL_EXPECTED[t]);
    // Independent of the literals above: every field equals what a plain regex reads from the file.
    for (const key of expectedKeys(t)) {
      const field = FIELD_OF_KEY[key];
      if (field === undefined) continue; // PROTOCOL, DIRECTION: checked, not stored
      const raw = kv(text, key);
      assert.equal(record[field], key === 'THROUGHPUT_UNITS' ? raw : Number(raw), key);
    }
  });
}

test('keyval: RR latency is microseconds (mean latency ~ 1e6 / transaction rate for one transaction in flight)', () => {
  for (const t of ['tcp_rr', 'udp_rr'] as const) {
    const r = parseNetperfKeyval(fixture(`${t}.keyval.stdout`), t);
    const fromRate = 1e6 / (r.transactionRate ?? Number.NaN);
    assert.ok(Math.abs((r.meanLatencyUs ?? 0) - fromRate) / fromRate < 0.05, `${t}: ${r.meanLatencyUs} us vs ${fromRate} us`);
  }
});

test('keyval: banner line printed without -P 0 is skipped', () => {
  const r = parseNetperfKeyval(fixture('tcp_rr.keyval-banner.stdout'), 'tcp_rr');
  assert.equal(r.throughput, 19486.99);
  assert.equal(r.transactionRate, 19486.989);
  assert.equal(r.p99LatencyUs, 81);
});

test('keyval: with -i/-I netperf prints no confidence warning in -k form, and THROUGHPUT is the mean over iterations', () => {
  const text = fixture('tcp_rr.keyval-confidence.stdout');
  const r = parseNetperfKeyval(text, 'tcp_rr');
  assert.deepEqual(r.warnings, []);
  assert.equal(kv(text, 'THROUGHPUT_CONFID'), '101.862');
  assert.equal(r.throughput, 16500.89);
  assert.equal(r.transactionRate, 15389.03);
});

test('keyval: a warning block in the text is collected', () => {
  const block = fixture('tcp_stream.classic-confidence.stdout').split('\n').filter((l) => l.startsWith('!!!')).join('\n');
  const r = parseNetperfKeyval(`${block}\n${fixture('tcp_rr.keyval.stdout')}`, 'tcp_rr');
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0] ?? '', /^Desired confidence was not achieved.*Throughput : 551\.539%/);
});

test('keyval: an unknown selector is silently dropped by netperf, so the next expected key is reported missing', () => {
  const text = fixture('tcp_rr.keyval-unknown-selector.stdout');
  assert.doesNotMatch(text, /NO_SUCH_SELECTOR/);
  const e = throwsParse(() => parseNetperfKeyval(text, 'tcp_rr'), 'THROUGHPUT_UNITS is missing', 'THROUGHPUT=16613.54');
  assert.equal(e.key, 'THROUGHPUT_UNITS');
});

for (const t of NETPERF_TESTS) {
  test(`keyval: ${t} with any one expected key removed throws naming that key`, () => {
    const text = fixture(`${t}.keyval.stdout`);
    for (const key of expectedKeys(t)) {
      const without = text
        .split('\n')
        .filter((l) => !l.startsWith(`${key}=`))
        .join('\n');
      assert.notEqual(without, text);
      const firstLine = without.split('\n')[0] ?? '';
      const e = throwsParse(() => parseNetperfKeyval(without, t), `${key} is missing`, firstLine);
      assert.equal(e.key, key);
    }
  });
}

test('keyval: empty or blank output throws', () => {
  throwsParse(() => parseNetperfKeyval('', 'tcp_rr'), 'is empty', 'netperf printed nothing');
  throwsParse(() => parseNetperfKeyval('\n  \n', 'tcp_stream'), 'is empty');
});

test('keyval: non-numeric, nan or empty values throw naming the key', () => {
  const text = fixture('tcp_rr.keyval.stdout');
  for (const bad of ['abc', 'nan', '-nan', 'inf', '', '47.61us']) {
    const e = throwsParse(() => parseNetperfKeyval(text.replace('MEAN_LATENCY=47.61', `MEAN_LATENCY=${bad}`), 'tcp_rr'), 'MEAN_LATENCY');
    assert.equal(e.key, 'MEAN_LATENCY');
  }
  throwsParse(() => parseNetperfKeyval(text.replace('THROUGHPUT=20978.31', 'THROUGHPUT=x'), 'tcp_rr'), 'THROUGHPUT is "x", not a number');
  throwsParse(() => parseNetperfKeyval(text.replace('THROUGHPUT_UNITS=Trans/s', 'THROUGHPUT_UNITS='), 'tcp_rr'), 'THROUGHPUT_UNITS is empty');
});

test('keyval: output of another test, or other units, is refused', () => {
  throwsParse(() => parseNetperfKeyval(fixture('tcp_rr.keyval.stdout'), 'udp_rr'), 'PROTOCOL is "TCP", expected "UDP"');
  throwsParse(() => parseNetperfKeyval(fixture('udp_rr.keyval.stdout'), 'tcp_rr'), 'LOCAL_TRANSPORT_RETRANS is missing');
  throwsParse(() => parseNetperfKeyval(fixture('tcp_stream.keyval.stdout'), 'tcp_rr'), 'TRANSACTION_RATE is missing');
  const stream = fixture('tcp_stream.keyval.stdout');
  throwsParse(() => parseNetperfKeyval(stream.replace('10^6bits/s', '10^9bits/s'), 'tcp_stream'), 'THROUGHPUT_UNITS is "10^9bits/s"');
  throwsParse(() => parseNetperfKeyval(stream.replace('DIRECTION=Send', 'DIRECTION=Recv'), 'tcp_stream'), 'DIRECTION');
});

test('keyval: duplicated keys and stray lines throw', () => {
  const text = fixture('tcp_rr.keyval.stdout');
  throwsParse(() => parseNetperfKeyval(text + text, 'tcp_rr'), 'THROUGHPUT appears twice');
  throwsParse(() => parseNetperfKeyval(`${text}something else\n`, 'tcp_rr'), 'unexpected line "something else"');
});

test('keyval: failure output throws with netperf\'s reason', () => {
  throwsParse(
    () => parseNetperfKeyval(fixture('error-no-netserver.stdout'), 'tcp_rr'),
    'no KEY=value lines',
    'no netserver listening on 10.254.77.2 port 12866',
    'establish control: are you sure',
  );
  throwsParse(() => parseNetperfKeyval(fixture('error-resolve-loopback-only-ns.stdout'), 'udp_rr'), "could not resolve host '127.0.0.1'");
  // Killed-netserver runs print nothing on stdout: the reason is on stderr, for parseNetperfError.
  throwsParse(() => parseNetperfKeyval(fixture('error-netserver-killed-tcp_rr.stdout'), 'tcp_rr'), 'is empty');
});

// ---- -o (CSV) output ----

const CSV_EXPECTED: Record<string, { test: NetperfTest; values: string[] }> = {
  'tcp_stream.csv': { test: 'tcp_stream', values: ['19003.75', '10^6bits/s', '1.00', 'TCP', 'Send', '6'] },
  'tcp_stream.csv-P0': { test: 'tcp_stream', values: ['15903.29', '10^6bits/s', '1.00', 'TCP', 'Send', '2'] },
  'tcp_rr.csv': {
    test: 'tcp_rr',
    values: ['69014.30', 'Trans/s', '1.00', 'TCP', 'Send|Recv', '69014.305', '14.45', '13', '14', '33', '26.37', '0'],
  },
  'tcp_rr.csv-P0': {
    test: 'tcp_rr',
    values: ['47118.73', 'Trans/s', '1.00', 'TCP', 'Send|Recv', '47118.727', '21.17', '16', '18', '72', '59.25', '0'],
  },
  'udp_rr.csv': {
    test: 'udp_rr',
    values: ['43303.67', 'Trans/s', '1.00', 'UDP', 'Send|Recv', '43303.669', '23.04', '14', '59', '69', '26.03'],
  },
  'udp_rr.csv-P0': {
    test: 'udp_rr',
    values: ['18623.04', 'Trans/s', '1.00', 'UDP', 'Send|Recv', '18623.044', '53.62', '58', '78', '105', '35.88'],
  },
};

for (const [name, { test: t, values }] of Object.entries(CSV_EXPECTED)) {
  test(`csv: ${name} fixture`, () => {
    const text = fixture(`${name}.stdout`);
    const keys = expectedKeys(t);
    const parsed = parseNetperfCsv(text, keys);
    assert.deepEqual(parsed, Object.fromEntries(keys.map((k, i) => [k, values[i]])));
    // The value line is the file's last non-blank line, whatever the headers.
    assert.equal(text.trim().split('\n').at(-1), values.join(','));
    const r = netperfRecordFromValues(parsed, t);
    assert.equal(r.throughput, Number(values[0]));
    assert.equal(r.elapsedS, 1);
  });
}

test('csv: with -P 0 there is no header (one line); without it, banner + header with "Microseconds" units', () => {
  assert.equal(fixture('tcp_rr.csv-P0.stdout').trim().split('\n').length, 1);
  const withHeader = fixture('tcp_rr.csv.stdout').trim().split('\n');
  assert.equal(withHeader.length, 3);
  assert.match(withHeader[1] ?? '', /Mean Latency Microseconds/);
});

test('csv: wrong column count, non-numbers and empty output throw', () => {
  const text = fixture('tcp_rr.csv-P0.stdout');
  const keys = expectedKeys('tcp_rr');
  throwsParse(() => parseNetperfCsv(text, [...keys, 'TRANSPORT_MSS']), 'value line has 12 columns for 13 selectors');
  throwsParse(() => parseNetperfCsv(fixture('tcp_rr.csv.stdout'), keys.slice(1)), 'header has 12 columns for 11 selectors');
  const e = throwsParse(() => parseNetperfCsv(text.replace(',21.17,', ',n/a,'), keys), 'MEAN_LATENCY is "n/a", not a number');
  assert.equal(e.key, 'MEAN_LATENCY');
  throwsParse(() => parseNetperfCsv('', keys), 'is empty');
  throwsParse(() => parseNetperfCsv(fixture('error-no-netserver.stdout'), keys), 'no netserver listening on 10.254.77.2 port 12866');
  // A missing expected selector is caught when building the record.
  const partial = parseNetperfCsv('47118.73,Trans/s\n', ['THROUGHPUT', 'THROUGHPUT_UNITS']);
  throwsParse(() => netperfRecordFromValues(partial, 'tcp_rr'), 'ELAPSED_TIME is missing');
});

// ---- classic (banner table) output ----

const CLASSIC_EXPECTED: Record<string, { test: NetperfTest; throughput: number; units: string }> = {
  'tcp_stream.classic': { test: 'tcp_stream', throughput: 14871.61, units: '10^6bits/s' },
  'tcp_stream.classic-P0': { test: 'tcp_stream', throughput: 19288.56, units: '10^6bits/s' },
  'tcp_rr.classic': { test: 'tcp_rr', throughput: 18973.53, units: 'Trans/s' },
  'tcp_rr.classic-P0': { test: 'tcp_rr', throughput: 57144.46, units: 'Trans/s' },
  'udp_rr.classic': { test: 'udp_rr', throughput: 76829.86, units: 'Trans/s' },
  'udp_rr.classic-P0': { test: 'udp_rr', throughput: 21919.7, units: 'Trans/s' },
  'tcp_stream.classic-confidence': { test: 'tcp_stream', throughput: 18465.98, units: '10^6bits/s' },
  'tcp_rr.classic-P0-confidence': { test: 'tcp_rr', throughput: 35886.88, units: 'Trans/s' },
};

for (const [name, exp] of Object.entries(CLASSIC_EXPECTED)) {
  test(`classic: ${name} fixture`, () => {
    const text = fixture(`${name}.stdout`);
    const r = parseNetperfClassic(text, exp.test);
    assert.equal(r.test, exp.test);
    assert.equal(r.throughput, exp.throughput);
    assert.equal(r.throughputUnits, exp.units);
    assert.equal(r.elapsedS, 1);
    assert.equal(r.transactionRate, exp.test === 'tcp_stream' ? undefined : exp.throughput);
    // Independently: the result row is the first line that starts with a number; its last column is the result.
    const row = text.split('\n').find((l) => /^\s*\d/.test(l)) ?? '';
    assert.equal(Number(row.trim().split(/\s+/).at(-1)), exp.throughput);
    assert.equal(r.warnings.length, name.endsWith('-confidence') ? 1 : 0);
  });
}

test('classic: the confidence warning block is collected as one line', () => {
  const r = parseNetperfClassic(fixture('tcp_stream.classic-confidence.stdout'), 'tcp_stream');
  assert.deepEqual(r.warnings, [
    'Desired confidence was not achieved within the specified iterations. This implies that there was variability in the test ' +
      'environment that must be investigated before going further. Confidence intervals: Throughput : 551.539% ' +
      'Local CPU util : 0.000% Remote CPU util : 0.000%',
  ]);
  const rr = parseNetperfClassic(fixture('tcp_rr.classic-P0-confidence.stdout'), 'tcp_rr');
  assert.match(rr.warnings[0] ?? '', /Throughput : 876\.612%/);
});

test('classic: header units are read; header-less stream units come from the option', () => {
  assert.match(fixture('tcp_stream.classic.stdout'), /10\^6bits\/sec/);
  const gbit = fixture('tcp_stream.classic.stdout').replace('10^6bits/sec', '10^9bits/sec');
  assert.equal(parseNetperfClassic(gbit, 'tcp_stream').throughputUnits, '10^9bits/s');
  const p0 = fixture('tcp_stream.classic-P0.stdout');
  assert.equal(parseNetperfClassic(p0, 'tcp_stream', { headerlessStreamUnits: '10^9bits/s' }).throughputUnits, '10^9bits/s');
});

test('classic: CPU columns (-c -C) do not move the result column', () => {
  // Row layout of netperf's TCP_STREAM table with local and remote CPU: 4 more columns after throughput.
  const r = parseNetperfClassic(' 87380  16384   4096    10.00      9591.78   1.18     0.93     0.483   0.383\n', 'tcp_stream');
  assert.equal(r.throughput, 9591.78);
  assert.equal(r.elapsedS, 10);
});

test('classic: wrong test, truncated row, stray text and empty output throw', () => {
  throwsParse(() => parseNetperfClassic(fixture('tcp_rr.classic.stdout'), 'tcp_stream'), 'banner is not a tcp_stream test');
  throwsParse(() => parseNetperfClassic(fixture('udp_rr.classic.stdout'), 'tcp_rr'), 'banner is not a tcp_rr test');
  throwsParse(() => parseNetperfClassic(fixture('tcp_rr.classic-P0.stdout'), 'tcp_stream'), 'expected one result row of 5 or 9 numbers');
  throwsParse(() => parseNetperfClassic(fixture('tcp_stream.classic-P0.stdout'), 'tcp_rr'), 'expected one result row of 6 or 10 numbers');
  const truncated = fixture('tcp_stream.classic.stdout').replace(/\s+14871\.61\s*$/, '\n');
  throwsParse(() => parseNetperfClassic(truncated, 'tcp_stream'), 'found rows of 4 numbers');
  const twice = fixture('tcp_rr.classic-P0.stdout').repeat(2);
  throwsParse(() => parseNetperfClassic(twice, 'tcp_rr'), 'found rows of 6, 2, 6, 2 numbers');
  throwsParse(() => parseNetperfClassic(`oops\n${fixture('tcp_rr.classic-P0.stdout')}`, 'tcp_rr'), 'unexpected line "oops"');
  throwsParse(() => parseNetperfClassic('', 'udp_rr'), 'is empty');
  throwsParse(() => parseNetperfClassic(fixture('error-no-netserver.stdout'), 'tcp_rr'), 'no netserver listening');
});

// ---- failure messages ----

const ERROR_REASONS: Record<string, string> = {
  'error-no-netserver': 'no netserver listening on 10.254.77.2 port 12866 (control connection failed)',
  'error-resolve-loopback-only-ns':
    "could not resolve host '127.0.0.1' (getaddrinfo: Name or service not known); a numeric address fails like this when the " +
    'network namespace has no non-loopback address (AI_ADDRCONFIG)',
  'error-netserver-killed-tcp_stream':
    'netserver closed the control connection before sending results (0 bytes received): it died or was killed mid-test',
  'error-netserver-killed-udp_rr':
    'netserver closed the control connection before sending results (0 bytes received): it died or was killed mid-test',
  'error-netserver-killed-tcp_rr':
    'receiving on the data connection failed: Connection reset by peer (netserver died or reset the connection)',
  'error-data-connect-unreachable': 'could not connect the data connection: Network is unreachable',
  'error-udp_rr-remote-data-port-busy': 'sending on the data connection failed: Invalid argument',
};

test('parseNetperfError: every captured failure has a reason', () => {
  const captured = readdirSync(FIXTURES)
    .filter((f) => f.startsWith('error-') && f.endsWith('.stdout'))
    .map((f) => f.replace(/\.stdout$/, ''));
  assert.deepEqual(captured.sort(), Object.keys(ERROR_REASONS).sort());
  for (const [name, reason] of Object.entries(ERROR_REASONS)) {
    assert.equal(parseNetperfError(fixture(`${name}.stdout`), fixture(`${name}.stderr`)), reason, name);
  }
});

test('parseNetperfError: netperf puts control-connection failures on stdout and data failures on stderr', () => {
  assert.equal(fixture('error-no-netserver.stderr'), '');
  assert.match(fixture('error-no-netserver.stdout'), /are you sure there is a netserver listening/);
  assert.equal(fixture('error-netserver-killed-tcp_rr.stdout'), '');
  assert.match(fixture('error-netserver-killed-tcp_rr.stderr'), /send_omni: recv_data failed/);
});

test('parseNetperfError: successful runs have no reason', () => {
  const ok = readdirSync(FIXTURES).filter((f) => /\.(keyval|csv|classic)[^.]*\.stdout$/.test(f));
  assert.ok(ok.length >= 18);
  for (const f of ok) {
    assert.equal(parseNetperfError(fixture(f), fixture(f.replace(/\.stdout$/, '.stderr'))), undefined, f);
  }
  assert.equal(parseNetperfError('', ''), undefined);
});

test('parseNetperfError: messages from netperf 2.7.0 not provoked here (format strings from the binary)', () => {
  // `strings /usr/bin/netperf`: "%s: no response received. errno %d counter %d", "netperf: remote error %d",
  // and perror() after a failed control recv ("recv_response: Connection reset by peer").
  assert.equal(
    parseNetperfError('', 'recv_response_timed_n: no response received. errno 0 counter 0\n'),
    'netserver did not answer on the control connection (recv_response_timed_n, errno 0)',
  );
  assert.equal(parseNetperfError('netperf: remote error 98\n', ''), 'netserver reported error 98 (EADDRINUSE)');
  assert.equal(parseNetperfError('', 'recv_response: Connection reset by peer\n'), 'recv_response: Connection reset by peer');
  assert.equal(
    parseNetperfError('', 'netperf: send_omni: unable to create data socket: Address family not supported by protocol\n'),
    'could not create the data socket: Address family not supported by protocol',
  );
  assert.equal(parseNetperfError('', "failed to set PID 42's CPU affinity errno 22\n"), "failed to set PID 42's CPU affinity errno 22");
  assert.equal(
    parseNetperfError('', 'netperf: create_data_socket: data socket bind failed: Cannot assign requested address (errno 99)\n'),
    'netperf: create_data_socket: data socket bind failed: Cannot assign requested address (errno 99)',
  );
});

test('netperfOutcome: one verdict for both backends — timeout, netperf error, exit code, bad output, headline', () => {
  const words = { noAnswer: 'no answer from 10.0.0.2', exitWords: 'kubectl exec netperf', withStderr: true };
  const good = fixture('tcp_rr.keyval.stdout');
  assert.deepEqual(netperfOutcome({ stdout: '', stderr: '', exitCode: undefined, timedOut: true }, 'tcp_rr', words), { ok: false, reason: 'no answer from 10.0.0.2' });
  const err = netperfOutcome({ stdout: fixture('error-data-connect-unreachable.stdout'), stderr: fixture('error-data-connect-unreachable.stderr'), exitCode: 1, timedOut: false }, 'tcp_stream', words);
  assert.equal(err.ok, false);
  assert.doesNotMatch(!err.ok ? err.reason : '', /exited with/, 'netperf\'s own error wins over the exit code');
  assert.deepEqual(netperfOutcome({ stdout: good, stderr: 'boom\nlast words', exitCode: 137, timedOut: false }, 'tcp_rr', words), { ok: false, reason: 'kubectl exec netperf exited with 137: last words' });
  const bad = netperfOutcome({ stdout: 'THROUGHPUT=abc\n', stderr: '', exitCode: 0, timedOut: false }, 'tcp_rr', words);
  assert.match(!bad.ok ? bad.reason : '', /^bad netperf output: /);
  const ok = netperfOutcome({ stdout: good, stderr: '', exitCode: 0, timedOut: false }, 'tcp_rr', words);
  assert.ok(ok.ok && ok.headline.units === 'Trans/s' && ok.headline.value > 0, JSON.stringify(ok));
});

test('keyval: pinned runs with -c -C carry service demand and the CPUs each end bound to', () => {
  for (const t of ['tcp_stream', 'tcp_rr', 'udp_rr'] as const) {
    const rec = parseNetperfKeyval(readFileSync(new URL(`${t}.keyval-pinned-sd.stdout`, FIXTURES), "utf8"), t);
    assert.deepEqual(rec.cpuBind, { local: 0, remote: 0 }, t);
    assert.equal(rec.serviceDemand!.units, t === 'tcp_stream' ? 'usec/KB' : 'usec/Tran');
    assert.equal(rec.serviceDemand!.method, 'S');
    assert.ok(rec.serviceDemand!.local > 0 && rec.serviceDemand!.localCpuUtilPct > 0, t);
  }
  // A run that asked for a group must print all of it.
  const text = readFileSync(new URL("tcp_rr.keyval-pinned-sd.stdout", FIXTURES), "utf8").replace(/^REMOTE_SD=.*\n/m, '');
  assert.throws(() => parseNetperfKeyval(text, 'tcp_rr'), /REMOTE_SD is missing though LOCAL_CPU_UTIL is there/);
  // Older runs did not ask: no group, no error.
  assert.equal(parseNetperfKeyval(readFileSync(new URL("tcp_rr.keyval.stdout", FIXTURES), "utf8"), 'tcp_rr').serviceDemand, undefined);
});
