// Builds the netperf and netserver command lines of the netperf stage and says which output selectors each test reports.
import { NETPERF_TEST_NAME, type NetperfCommand, type NetperfTest } from './types.ts';

/**
 * Omni output selectors we ask for. netperf 2.7.0 drops an unknown selector name without a word,
 * so every name here was checked against `netperf -t omni -- -k '?'` (fixture selectors.stdout).
 */
export type NetperfSelector =
  | 'THROUGHPUT'
  | 'THROUGHPUT_UNITS'
  | 'ELAPSED_TIME'
  | 'PROTOCOL'
  | 'DIRECTION'
  | 'TRANSACTION_RATE'
  | 'MEAN_LATENCY'
  | 'P50_LATENCY'
  | 'P90_LATENCY'
  | 'P99_LATENCY'
  | 'STDDEV_LATENCY'
  | 'LOCAL_TRANSPORT_RETRANS'
  | 'LOCAL_CPU_UTIL'
  | 'REMOTE_CPU_UTIL'
  | 'LOCAL_SD'
  | 'REMOTE_SD'
  | 'SD_UNITS'
  | 'LOCAL_CPU_METHOD'
  | 'LOCAL_CPU_BIND'
  | 'REMOTE_CPU_BIND';

const COMMON_SELECTORS: readonly NetperfSelector[] = ['THROUGHPUT', 'THROUGHPUT_UNITS', 'ELAPSED_TIME', 'PROTOCOL', 'DIRECTION'];
const RR_SELECTORS: readonly NetperfSelector[] = [
  'TRANSACTION_RATE',
  'MEAN_LATENCY',
  'P50_LATENCY',
  'P90_LATENCY',
  'P99_LATENCY',
  'STDDEV_LATENCY',
];

/** Tests that count transactions (one-byte request, one-byte response), TCP_CRR with a new connection for each. */
export function isRequestResponse(test: NetperfTest): boolean {
  return test === 'tcp_rr' || test === 'udp_rr' || test === 'tcp_crr';
}

export function isTcp(test: NetperfTest): boolean {
  return test === 'tcp_stream' || test === 'tcp_rr' || test === 'tcp_crr';
}

/** Selectors asked for with -c -C (service demand); every name checked against the fixture selectors.stdout. */
export const SERVICE_DEMAND_SELECTORS: readonly NetperfSelector[] = ['LOCAL_CPU_UTIL', 'REMOTE_CPU_UTIL', 'LOCAL_SD', 'REMOTE_SD', 'SD_UNITS', 'LOCAL_CPU_METHOD'];
/** Selectors asked for with -T: the CPU each end says it bound itself to. */
export const CPU_BIND_SELECTORS: readonly NetperfSelector[] = ['LOCAL_CPU_BIND', 'REMOTE_CPU_BIND'];

/**
 * The selectors every run of `test` reports, in the order netperf prints them. Runs that ask for service demand or
 * CPU binding report those selectors too (`requestedKeys`); older runs did not ask, so the parser reads those groups
 * when they are there.
 */
export function expectedKeys(test: NetperfTest): readonly NetperfSelector[] {
  return [
    ...COMMON_SELECTORS,
    ...(isRequestResponse(test) ? RR_SELECTORS : []),
    // UDP has no retransmissions: netperf prints -1 there, which says nothing.
    ...(isTcp(test) ? (['LOCAL_TRANSPORT_RETRANS'] as const) : []),
  ];
}

/** Every selector `netperfArgs(cmd)` asks for. */
function requestedKeys(cmd: Pick<NetperfCommand, 'test' | 'cpus' | 'serviceDemand'>): readonly NetperfSelector[] {
  return [...expectedKeys(cmd.test), ...(cmd.serviceDemand ? SERVICE_DEMAND_SELECTORS : []), ...(cmd.cpus ? CPU_BIND_SELECTORS : [])];
}

/** argv (binary first) of one netperf run whose stdout `parseNetperfKeyval` reads. */
export function netperfArgs(cmd: NetperfCommand): string[] {
  checkHost(cmd.host);
  checkPort(cmd.port);
  if (cmd.dataPort !== undefined) checkPort(cmd.dataPort);
  // netperf reads -l with atoi: 1.5 would silently become 1, and a negative value means a byte/transaction count.
  if (!Number.isInteger(cmd.durationS) || cmd.durationS <= 0) {
    throw new RangeError(`netperf duration must be a positive whole number of seconds, got ${cmd.durationS}`);
  }
  return [
    'netperf',
    '-H', cmd.host,
    '-p', String(cmd.port),
    '-t', NETPERF_TEST_NAME[cmd.test],
    '-l', String(cmd.durationS),
    '-P', '0',
    // -j makes the latency histogram explicit (2.7.0 also keeps it when a percentile selector is requested).
    '-j',
    ...(cmd.cpus ? ['-T', `${checkCpu(cmd.cpus.local)},${checkCpu(cmd.cpus.remote)}`] : []),
    ...(cmd.serviceDemand ? ['-c', '-C'] : []),
    '--',
    ...(isRequestResponse(cmd.test) ? ['-r', '1,1'] : []),
    ...(cmd.dataPort !== undefined ? ['-P', `,${cmd.dataPort}`] : []),
    '-k', requestedKeys(cmd).join(','),
  ];
}

/** argv of a netserver that stays in the foreground (-D), so the caller owns its PID and can stop it. */
export function netserverArgs(port: number): string[] {
  checkPort(port);
  return ['netserver', '-D', '-p', String(port)];
}

function checkCpu(cpu: number): number {
  if (!Number.isInteger(cpu) || cpu < 0) throw new RangeError(`netperf CPU must be a CPU number (0, 1, …), got ${cpu}`);
  return cpu;
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`netperf port must be 1-65535, got ${port}`);
}

function checkHost(host: string): void {
  // netperf splits -H at a comma ("name,family"), and a leading '-' would be read as an option.
  if (host === '' || host.startsWith('-') || /[\s,]/.test(host)) {
    throw new RangeError(`netperf host must be one address or name without spaces or commas, got ${JSON.stringify(host)}`);
  }
}
