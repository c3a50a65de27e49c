// Types of the netperf stage: which tests we run and what one run of netperf reports.

/**
 * The tests cnibench runs: the study's three, and TCP_CRR (beyond the study: a new TCP connection per transaction —
 * connect, one request, one response, close — where a per-connection cost such as a Service's NAT lookup shows).
 */
export const NETPERF_TESTS = ['tcp_stream', 'tcp_rr', 'udp_rr', 'tcp_crr'] as const;
export type NetperfTest = (typeof NETPERF_TESTS)[number];

/** The study's three tests: what a collection runs unless told otherwise. */
export const STUDY_TESTS = ['tcp_stream', 'tcp_rr', 'udp_rr'] as const satisfies readonly NetperfTest[];

/** netperf's own name for each test (`-t`). */
export const NETPERF_TEST_NAME: Record<NetperfTest, string> = {
  tcp_stream: 'TCP_STREAM',
  tcp_rr: 'TCP_RR',
  udp_rr: 'UDP_RR',
  tcp_crr: 'TCP_CRR',
};

export interface NetperfCommand {
  test: NetperfTest;
  /** Address of the netserver (inside a namespace of the run, or loopback). */
  host: string;
  /** Control port of netserver (-p). */
  port: number;
  /**
   * The server's port of the data connection (test-specific `-P ,port`); netserver picks one when absent. Fixed when
   * the test goes through a Service, whose ports must be named in advance.
   */
  dataPort?: number;
  /** Test length in seconds (-l). */
  durationS: number;
  /** Pin netperf and the netserver child to these CPUs (-T local,remote); unpinned when absent. */
  cpus?: { local: number; remote: number };
  /**
   * Measure CPU utilisation on both ends (-c -C) and report service demand: CPU time per KB (stream) or per
   * transaction (RR). Between namespaces of one machine both ends read the same /proc/stat, so both say how much
   * of the whole machine one unit of work took.
   */
  serviceDemand?: boolean;
}

/** One parsed netperf result (omni output selectors, -k key=value form). */
export interface NetperfRecord {
  test: NetperfTest;
  /** Mbit/s for tcp_stream; transactions/s for the RR tests. */
  throughput: number;
  throughputUnits: string;
  /** Transactions per second (RR tests only). */
  transactionRate?: number;
  /** Round-trip latency statistics in microseconds (RR tests only). */
  meanLatencyUs?: number;
  p50LatencyUs?: number;
  p90LatencyUs?: number;
  p99LatencyUs?: number;
  stddevLatencyUs?: number;
  /** TCP retransmissions seen by the sender (TCP tests; -1 when netperf cannot tell). */
  localRetransmissions?: number;
  /** Elapsed test time netperf reports, seconds. */
  elapsedS: number;
  /** With -c -C: CPU utilisation (% of all CPUs) and service demand on each end. */
  serviceDemand?: ServiceDemand;
  /** The CPUs netperf says it bound each end to (-T), -1 when unbound. Present in runs that asked for them. */
  cpuBind?: { local: number; remote: number };
  /** Confidence-interval warning text, when netperf printed one. */
  warnings: string[];
}

/** netperf's own CPU accounting of one run (-c -C). */
export interface ServiceDemand {
  localCpuUtilPct: number;
  remoteCpuUtilPct: number;
  /** CPU µs per unit of work on each end. */
  local: number;
  remote: number;
  /** "usec/KB" for a stream, "usec/Tran" for request/response. */
  units: string;
  /** How netperf measured CPU time ("S": /proc/stat). */
  method: string;
}
