// Reads netperf 2.7.0 output (-k key=value, -o CSV, classic banner tables) and its failure messages; anything missing or malformed throws.
import { constants as osConstants } from 'node:os';
import { CPU_BIND_SELECTORS, SERVICE_DEMAND_SELECTORS, expectedKeys, isRequestResponse, isTcp, type NetperfSelector } from './command.ts';
import type { NetperfRecord, NetperfTest } from './types.ts';

/** Raw selector values of one netperf run, as printed (keyed by selector name). */
export type NetperfValues = Record<string, string>;

/** What the classic (non-omni, no -k/-o) table of one run says. */
export interface NetperfClassicResult {
  test: NetperfTest;
  /** Column "Throughput" for tcp_stream, "Trans. Rate" for the RR tests. */
  throughput: number;
  /** Spelled as omni spells it ("10^6bits/s", "Trans/s") so classic and omni records compare. */
  throughputUnits: string;
  /** Same as throughput for the RR tests. */
  transactionRate?: number;
  elapsedS: number;
  warnings: string[];
}

export interface NetperfClassicOptions {
  /**
   * Units of a tcp_stream table printed without headers (-P 0), where netperf does not say them.
   * Default '10^6bits/s', netperf's unit when no -f was given.
   */
  headerlessStreamUnits?: string;
}

/** Output netperf did not produce as expected; the message names the key and quotes the start of the output. */
export class NetperfParseError extends Error {
  constructor(
    problem: string,
    /** The whole text that was being parsed. */
    readonly output: string,
    /** The selector that was missing or malformed, when one was. */
    readonly key?: string,
  ) {
    super(`${problem}\n${describeOutput(output)}`);
    this.name = 'NetperfParseError';
  }
}

const EXCERPT_LINES = 6;

function describeOutput(output: string): string {
  const lines = output.split('\n').map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return 'netperf printed nothing.';
  const shown = lines.slice(0, EXCERPT_LINES).map((l) => `  | ${l}`);
  const more = lines.length > EXCERPT_LINES ? [`  | … (${lines.length - EXCERPT_LINES} more lines)`] : [];
  return ['first lines of the output:', ...shown, ...more].join('\n');
}

/** Selectors whose value must be a number (the rest are words such as THROUGHPUT_UNITS or PROTOCOL). */
const NUMERIC_SELECTORS: ReadonlySet<string> = new Set([
  'THROUGHPUT',
  'ELAPSED_TIME',
  'TRANSACTION_RATE',
  'RT_LATENCY',
  'MIN_LATENCY',
  'MAX_LATENCY',
  'MEAN_LATENCY',
  'P50_LATENCY',
  'P90_LATENCY',
  'P99_LATENCY',
  'STDDEV_LATENCY',
  'LOCAL_TRANSPORT_RETRANS',
  'REMOTE_TRANSPORT_RETRANS',
  'TRANSPORT_MSS',
  'REQUEST_SIZE',
  'RESPONSE_SIZE',
  'CONFIDENCE_LEVEL',
  'CONFIDENCE_INTERVAL',
  'CONFIDENCE_ITERATION',
  'THROUGHPUT_CONFID',
  'LOCAL_CPU_UTIL',
  'REMOTE_CPU_UTIL',
  'LOCAL_SD',
  'REMOTE_SD',
  'LOCAL_CPU_BIND',
  'REMOTE_CPU_BIND',
]);

// netperf prints plain decimals; "nan", "inf" or an empty value mean the measurement did not happen.
const NUMBER_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function isNumeric(s: string): boolean {
  return NUMBER_RE.test(s);
}

const PROTOCOL_OF: Record<NetperfTest, string> = { tcp_stream: 'TCP', tcp_rr: 'TCP', udp_rr: 'UDP', tcp_crr: 'TCP' };
// Omni's DIRECTION for the migrated tests: a stream only sends, a request/response test does both, TCP_CRR connects too.
const DIRECTION_OF: Record<NetperfTest, string> = { tcp_stream: 'Send', tcp_rr: 'Send|Recv', udp_rr: 'Send|Recv', tcp_crr: 'Connect|Send|Recv' };
// NetperfRecord promises Mbit/s for the stream and transactions/s for RR; other units (-f) are refused, not converted.
const UNITS_OF: Record<NetperfTest, string> = { tcp_stream: '10^6bits/s', tcp_rr: 'Trans/s', udp_rr: 'Trans/s', tcp_crr: 'Trans/s' };

/** netperf's banner line, e.g. "MIGRATED TCP STREAM TEST from 0.0.0.0 (0.0.0.0) port 0 AF_INET to …". */
const BANNER_RE = /\bTEST from\b/;

interface OutputSections {
  banner?: string;
  /** One entry per "!!! WARNING" block. */
  warnings: string[];
  /** Non-blank lines that are neither the banner nor a warning block, right-trimmed. */
  body: string[];
}

function splitOutput(text: string): OutputSections {
  const sections: OutputSections = { warnings: [], body: [] };
  let block: string[] | undefined;
  const closeBlock = (): void => {
    if (block && block.length > 0) sections.warnings.push(block.join(' '));
    block = undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('!!!')) {
      const content = line.slice(3).trim().replace(/\s+/g, ' ');
      if (content === 'WARNING') {
        closeBlock();
        block = [];
      } else if (content !== '') {
        (block ??= []).push(content);
      }
      continue;
    }
    closeBlock();
    if (line.trim() === '') continue;
    if (sections.banner === undefined && sections.body.length === 0 && BANNER_RE.test(line)) {
      sections.banner = line;
      continue;
    }
    sections.body.push(line);
  }
  closeBlock();
  return sections;
}

/** Throws with netperf's own failure reason when the text carries one, else with `problem`. */
function failWith(problem: string, text: string, key?: string): never {
  const reason = parseNetperfError(text, '');
  throw new NetperfParseError(reason ? `${problem}: netperf failed: ${reason}` : problem, text, key);
}

/**
 * Parses the -k output of one run of `netperfArgs(cmd)` (with or without the banner that -P 1 adds).
 * Every key of `expectedKeys(test)` must be there and well-formed; extra selectors are allowed and ignored.
 */
export function parseNetperfKeyval(text: string, test: NetperfTest): NetperfRecord {
  const what = `netperf ${test} -k output`;
  if (text.trim() === '') throw new NetperfParseError(`${what} is empty`, text);
  const { warnings, body } = splitOutput(text);
  const values: NetperfValues = {};
  const stray: string[] = [];
  for (const line of body) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) {
      stray.push(line);
      continue;
    }
    const [, key = '', value = ''] = m;
    // Two runs' output pasted together would otherwise silently keep the last one.
    if (key in values) throw new NetperfParseError(`${what}: ${key} appears twice`, text, key);
    values[key] = value.trim();
  }
  if (Object.keys(values).length === 0) failWith(`${what} has no KEY=value lines`, text);
  if (stray.length > 0) failWith(`${what} has an unexpected line ${JSON.stringify(stray[0])}`, text);
  return netperfRecordFromValues(values, test, { warnings, output: text, form: '-k' });
}

/**
 * Parses -o output: the value line, preceded by the banner and a header line unless -P 0 was given.
 * `keys` are the selectors passed to -o, in order. Returns the values by selector name.
 */
export function parseNetperfCsv(text: string, keys: readonly string[]): NetperfValues {
  const what = `netperf -o output`;
  if (keys.length === 0) throw new RangeError('parseNetperfCsv needs the list of -o selectors');
  if (text.trim() === '') throw new NetperfParseError(`${what} is empty`, text);
  const { body } = splitOutput(text);
  if (body.length === 0 || body.length > 2) {
    failWith(`${what} should be one value line, or a header line and a value line; found ${body.length} lines`, text);
  }
  const valueLine = body[body.length - 1] ?? '';
  const header = body.length === 2 ? (body[0] ?? '') : undefined;
  // netperf drops unknown selectors from both lines, so a short line usually means a misspelt selector.
  if (header !== undefined && header.split(',').length !== keys.length) {
    failWith(`${what}: header has ${header.split(',').length} columns for ${keys.length} selectors`, text);
  }
  const fields = valueLine.split(',');
  if (fields.length !== keys.length) {
    failWith(`${what}: value line has ${fields.length} columns for ${keys.length} selectors (${keys.join(',')})`, text);
  }
  const values: NetperfValues = {};
  keys.forEach((key, i) => {
    const value = (fields[i] ?? '').trim();
    if (NUMERIC_SELECTORS.has(key) && !isNumeric(value)) {
      failWith(`${what}: ${key} is ${JSON.stringify(value)}, not a number`, text, key);
    }
    values[key] = value;
  });
  return values;
}

export interface RecordContext {
  /** Confidence warnings found next to the values. */
  warnings?: string[];
  /** The text the values came from, quoted in errors. */
  output?: string;
  /** Which output form the values came from, for error messages ('-k', '-o'). */
  form?: string;
}

/** Turns the selector values of one run (from -k or -o) into a NetperfRecord, checking each expected key. */
export function netperfRecordFromValues(values: NetperfValues, test: NetperfTest, ctx: RecordContext = {}): NetperfRecord {
  const output = ctx.output ?? Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\n');
  const what = `netperf ${test}${ctx.form ? ` ${ctx.form}` : ''} output`;
  for (const key of expectedKeys(test)) {
    if (!(key in values)) {
      throw new NetperfParseError(`${what}: ${key} is missing (netperf leaves out unknown selectors without a word)`, output, key);
    }
  }
  const word = (key: NetperfSelector): string => {
    const v = values[key] ?? '';
    if (v === '') throw new NetperfParseError(`${what}: ${key} is empty`, output, key);
    return v;
  };
  const num = (key: NetperfSelector): number => {
    const v = values[key] ?? '';
    if (!isNumeric(v)) throw new NetperfParseError(`${what}: ${key} is ${JSON.stringify(v)}, not a number`, output, key);
    return Number(v);
  };
  const expectWord = (key: NetperfSelector, expected: string): void => {
    const v = word(key);
    if (v !== expected) {
      throw new NetperfParseError(`${what}: ${key} is ${JSON.stringify(v)}, expected ${JSON.stringify(expected)} for ${test}`, output, key);
    }
  };
  // A record from the wrong test (or with -f units) would otherwise be filed under this one.
  expectWord('PROTOCOL', PROTOCOL_OF[test]);
  expectWord('DIRECTION', DIRECTION_OF[test]);
  expectWord('THROUGHPUT_UNITS', UNITS_OF[test]);

  const record: NetperfRecord = {
    test,
    throughput: num('THROUGHPUT'),
    throughputUnits: word('THROUGHPUT_UNITS'),
    elapsedS: num('ELAPSED_TIME'),
    warnings: [...(ctx.warnings ?? [])],
  };
  if (isRequestResponse(test)) {
    record.transactionRate = num('TRANSACTION_RATE');
    // Omni reports latencies in microseconds (its -o header says "Mean Latency Microseconds").
    record.meanLatencyUs = num('MEAN_LATENCY');
    record.p50LatencyUs = num('P50_LATENCY');
    record.p90LatencyUs = num('P90_LATENCY');
    record.p99LatencyUs = num('P99_LATENCY');
    record.stddevLatencyUs = num('STDDEV_LATENCY');
  }
  if (isTcp(test)) record.localRetransmissions = num('LOCAL_TRANSPORT_RETRANS');
  // Optional groups: a run asks for all of a group or none of it, so a partial group is broken output.
  const group = (keys: readonly NetperfSelector[]): boolean => {
    const present = keys.filter((k) => k in values);
    if (present.length && present.length < keys.length) {
      const missing = keys.find((k) => !(k in values))!;
      throw new NetperfParseError(`${what}: ${missing} is missing though ${present[0]} is there`, output, missing);
    }
    return present.length === keys.length;
  };
  if (group(SERVICE_DEMAND_SELECTORS)) {
    record.serviceDemand = {
      localCpuUtilPct: num('LOCAL_CPU_UTIL'), remoteCpuUtilPct: num('REMOTE_CPU_UTIL'),
      local: num('LOCAL_SD'), remote: num('REMOTE_SD'), units: word('SD_UNITS'), method: word('LOCAL_CPU_METHOD'),
    };
  }
  if (group(CPU_BIND_SELECTORS)) record.cpuBind = { local: num('LOCAL_CPU_BIND'), remote: num('REMOTE_CPU_BIND') };
  return record;
}

const CLASSIC_BANNER: Record<NetperfTest, RegExp> = {
  tcp_stream: /\bTCP STREAM TEST\b/,
  tcp_rr: /\bTCP REQUEST\/RESPONSE TEST\b/,
  udp_rr: /\bUDP REQUEST\/RESPONSE TEST\b/,
  tcp_crr: /\bTCP Connect\/Request\/Response TEST\b/i,
};

/**
 * Parses the classic table netperf prints without -k/-o, with the banner and headers or without them (-P 0).
 * The result row is found by its column count: 5 (9 with -c/-C) for TCP_STREAM, 6 (10) for the RR tests,
 * whose table also has a second row of just the remote socket sizes.
 */
export function parseNetperfClassic(text: string, test: NetperfTest, opts: NetperfClassicOptions = {}): NetperfClassicResult {
  const what = `netperf ${test} classic output`;
  if (text.trim() === '') throw new NetperfParseError(`${what} is empty`, text);
  const { banner, warnings, body } = splitOutput(text);
  if (banner !== undefined && !CLASSIC_BANNER[test].test(banner)) {
    throw new NetperfParseError(`${what}: banner is not a ${test} test: ${JSON.stringify(banner)}`, text);
  }
  const rr = isRequestResponse(test);
  const rowWidths = rr ? [6, 10] : [5, 9];
  const rows: string[][] = [];
  const headers: string[] = [];
  for (const line of body) {
    const tokens = line.trim().split(/\s+/);
    if (tokens.every(isNumeric)) rows.push(tokens);
    else headers.push(line);
  }
  const main = rows.filter((r) => rowWidths.includes(r.length));
  const others = rows.filter((r) => !rowWidths.includes(r.length));
  if (main.length !== 1 || others.some((r) => !(rr && r.length === 2))) {
    failWith(
      `${what}: expected one result row of ${rowWidths.join(' or ')} numbers${rr ? ' (plus a row of 2 socket sizes)' : ''}, ` +
        `found rows of ${rows.map((r) => r.length).join(', ') || 'no'} numbers`,
      text,
    );
  }
  if (headers.length > 0 && banner === undefined) {
    // Headers only ever follow the banner; text lines without one are something else (an error, another tool).
    failWith(`${what}: unexpected line ${JSON.stringify(headers[0])}`, text);
  }
  const row = main[0] ?? [];
  const at = (i: number, name: string): number => {
    const v = row[i];
    if (v === undefined) throw new NetperfParseError(`${what}: result row has no ${name} column`, text, name);
    return Number(v);
  };
  const elapsedS = at(rr ? 4 : 3, 'elapsed time');
  const throughput = at(rr ? 5 : 4, rr ? 'transaction rate' : 'throughput');
  if (rr) return { test, throughput, throughputUnits: 'Trans/s', transactionRate: throughput, elapsedS, warnings };
  return { test, throughput, throughputUnits: classicStreamUnits(headers, text, opts), elapsedS, warnings };
}

function classicStreamUnits(headers: string[], text: string, opts: NetperfClassicOptions): string {
  if (headers.length === 0) return opts.headerlessStreamUnits ?? UNITS_OF.tcp_stream;
  // The last header row reads "bytes  bytes   bytes    secs.    10^6bits/sec" (then CPU units with -c/-C).
  const unitsRow = headers.map((h) => h.trim().split(/\s+/)).find((t) => t[3] === 'secs.');
  const unit = unitsRow?.[4];
  if (unit === undefined) {
    throw new NetperfParseError('netperf tcp_stream classic output: no header row with the throughput units', text, 'units');
  }
  return unit.replace(/\/sec$/, '/s');
}

interface ErrorPattern {
  re: RegExp;
  reason: (m: RegExpExecArray) => string;
}

const IP_LITERAL_RE = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;

function errnoName(n: number): string | undefined {
  return Object.entries(osConstants.errno).find(([, v]) => v === n)?.[0];
}

// Most specific first: a failed name lookup is also followed by the generic establish_control line.
const ERROR_PATTERNS: readonly ErrorPattern[] = [
  {
    re: /could not resolve host '([^']*)' port '([^']*)'[^\n]*(?:\n\s*getaddrinfo returned (-?\d+) ([^\n]*))?/,
    reason: (m) => {
      const host = m[1] ?? '';
      const gai = m[4] ? ` (getaddrinfo: ${m[4].trim()})` : '';
      // netperf passes AI_ADDRCONFIG, which ignores loopback: in a namespace with only lo even 127.0.0.1 fails to resolve.
      const hint = IP_LITERAL_RE.test(host)
        ? '; a numeric address fails like this when the network namespace has no non-loopback address (AI_ADDRCONFIG)'
        : '';
      return `could not resolve host '${host}'${gai}${hint}`;
    },
  },
  {
    re: /establish control: are you sure there is a netserver listening on (\S+) at port (\S+)\?/,
    reason: (m) => `no netserver listening on ${m[1]} port ${m[2]} (control connection failed)`,
  },
  {
    re: /establish_control could not establish the control connection from .* to (\S+) port (\S+) address family/,
    reason: (m) => `could not open the control connection to ${m[1]} port ${m[2]}`,
  },
  {
    re: /recv_response: partial response received: (\d+) bytes/,
    reason: (m) => `netserver closed the control connection before sending results (${m[1]} bytes received): it died or was killed mid-test`,
  },
  {
    re: /(\w+): no response received\. errno (\d+) counter (\d+)/,
    reason: (m) => `netserver did not answer on the control connection (${m[1]}, errno ${m[2]})`,
  },
  {
    re: /netperf: remote error (\d+)/,
    reason: (m) => {
      const n = Number(m[1]);
      const name = errnoName(n);
      return `netserver reported error ${n}${name ? ` (${name})` : ''}`;
    },
  },
  {
    re: /send_omni: (recv_data|send_data|connect_data_socket|unable to create data socket)(?: failed)?(?:: ([^\n]*))?/,
    reason: (m) => {
      const detail = m[2] ? `: ${m[2].trim()}` : '';
      switch (m[1]) {
        case 'recv_data':
          return `receiving on the data connection failed${detail} (netserver died or reset the connection)`;
        case 'send_data':
          return `sending on the data connection failed${detail}`;
        case 'connect_data_socket':
          return `could not connect the data connection${detail}`;
        default:
          return `could not create the data socket${detail}`;
      }
    },
  },
  {
    re: /(\w+): data send error: ([^\n]*)/,
    reason: (m) => `sending on the data connection failed (${m[1]}): ${(m[2] ?? '').trim()}`,
  },
  {
    // Anything else netperf reports in its "function: problem" style (e.g. perror's "recv_response: Connection reset by peer")
    // or as a bare "failed to …"/"unable to …"/"could not …" line.
    re: /^(?!!!!)(?:(?:netperf: )?[\w ]+: [^\n]*(?:failed|error|could not|unable to|Connection reset|Connection refused|timed out)|(?:failed to|unable to|could not) )[^\n]*$/im,
    reason: (m) => m[0].trim().replace(/\s+/g, ' '),
  },
];

/** netperf's reason for failing, in one line, when stdout or stderr carry one of its failure messages; else undefined. */
export function parseNetperfError(stdout: string, stderr: string): string | undefined {
  // netperf writes some failures (establish_control, resolve_host) to stdout and others (send_omni, recv_response) to stderr.
  const text = `${stderr}\n${stdout}`;
  for (const { re, reason } of ERROR_PATTERNS) {
    const m = re.exec(text);
    if (m) return reason(m).replace(/\s*\n\s*/g, ' ');
  }
  return undefined;
}
