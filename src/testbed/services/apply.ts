// Loading a Service ruleset (kube-proxy's iptables or nftables programming, see kubeProxyIptables.ts and
// kubeProxyNftables.ts) into a node namespace: checked first (`iptables-restore --test`, `nft -c -f`), then
// loaded, each step timed — the load is what one full sync of kube-proxy costs. Reading back what a connection
// left behind (conntrack's DNAT entries) is how an item proves it went through the Service. Every command runs
// inside the given namespace (util/exec.ts `run` with `ns`), never in the root namespace.
import { run } from '../../util/exec.ts';
import type { IptablesFlavour } from '../policy/types.ts';
import type { ServiceRuleset } from './types.ts';

/** How long checking and loading a ruleset took in one node namespace, milliseconds. */
export interface ServiceApplyTiming {
  checkMs: number;
  applyMs: number;
}

function requireNs(ns: string): void {
  if (!ns || !/^[\w.-]+$/.test(ns)) throw new Error(`a network namespace name is required, got ${JSON.stringify(ns)}`);
}

/** The commands that check and load a ruleset of this mode (iptables: the flavour the testbed uses). */
function loaderArgv(rs: Pick<ServiceRuleset, 'mode'>, flavour: IptablesFlavour): { check: string[]; apply: string[] } {
  if (rs.mode === 'nftables') return { check: ['nft', '-c', '-f', '-'], apply: ['nft', '-f', '-'] };
  const restore = `iptables-${flavour}-restore`;
  return { check: [restore, '--test', '--noflush', '--wait=10'], apply: [restore, '--noflush', '--wait=10'] };
}

/** Checks, then loads `rs` in `ns`; a ruleset the tool refuses is never loaded (the error quotes the tool). */
export async function applyServiceRuleset(ns: string, flavour: IptablesFlavour, rs: ServiceRuleset, timeoutMs = 120_000): Promise<ServiceApplyTiming> {
  requireNs(ns);
  const { check, apply } = loaderArgv(rs, flavour);
  const time = async (argv: string[]) => {
    const t0 = performance.now();
    await run(argv, { ns, input: rs.text, timeoutMs });
    return Math.round((performance.now() - t0) * 10) / 10;
  };
  const checkMs = await time(check);
  const applyMs = await time(apply);
  return { checkMs, applyMs };
}

/** One connection as conntrack lists it: the original direction and the reply direction. */
export interface ConntrackEntry {
  protocol: string;
  origSrc: string;
  origDst: string;
  origDport: number;
  replySrc: string;
  replySport: number;
}

/**
 * Reads `conntrack -L -o extended` style lines (the default output too): the first src/dst/dport are the original
 * direction, the second src/sport the reply's. Lines of other shapes (the summary on stderr, ICMP) are skipped.
 */
function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const proto = /^(?:ipv4\s+2\s+)?(tcp|udp|sctp)\s/.exec(line.trim());
    if (!proto) continue;
    const all = (key: string) => [...line.matchAll(new RegExp(`\\b${key}=(\\S+)`, 'g'))].map((m) => m[1]!);
    const src = all('src');
    const dst = all('dst');
    const sport = all('sport');
    const dport = all('dport');
    if (src.length < 2 || dst.length < 1 || dport.length < 1 || sport.length < 2) continue;
    out.push({ protocol: proto[1]!, origSrc: src[0]!, origDst: dst[0]!, origDport: Number(dport[0]), replySrc: src[1]!, replySport: Number(sport[1]) });
  }
  return out;
}

/** Connections of namespace `ns` whose original destination is `clusterIP` (conntrack -L -d). */
async function serviceConnections(ns: string, clusterIP: string): Promise<ConntrackEntry[]> {
  requireNs(ns);
  // conntrack -L exits 0 whether or not anything matched (conntrack-tools 1.4.7); anything else is a failure.
  const res = await run(['conntrack', '-L', '-d', clusterIP], { ns, timeoutMs: 30_000 });
  return parseConntrack(res.stdout).filter((e) => e.origDst === clusterIP);
}

/** Forgets the connections to `clusterIP` in `ns`, so that the next item's entries are its own. */
export async function forgetServiceConnections(ns: string, clusterIP: string): Promise<void> {
  requireNs(ns);
  const res = await run(['conntrack', '-D', '-d', clusterIP], { ns, reject: false, timeoutMs: 30_000 });
  // Nothing to delete is exit 1 with "0 flow entries have been deleted"; an entry that expired between conntrack's
  // listing and its delete is exit 1 with "such conntrack doesn't exist" (seen once in 348 items): it is gone either
  // way. Exit 1 for anything else is an error.
  const nothing = res.exitCode === 1 && /\b0 flow entries have been deleted|such conntrack doesn't exist/.test(res.stderr);
  if (res.exitCode !== 0 && !nothing) throw new Error(`conntrack -D in ${ns} failed (exit ${res.exitCode}): ${res.stderr.trim()}`);
}

/** What a test through a Service left behind: the translations to the server, read from conntrack or the socket LB. */
export interface ServicePathCheck {
  /** How the translations were counted: conntrack's DNAT entries (kube-proxy), or the eBPF socket LB's counters. */
  via?: 'conntrack' | 'socket-lb';
  node: string;
  clusterIP: string;
  serverIp: string;
  /**
   * conntrack: connections to the ClusterIP that conntrack of the client's node saw during the item. socket-lb:
   * translations of the item (one per connect(), one per datagram of an unconnected UDP socket).
   */
  connections: number;
  /** Of those, the ones sent to the server pod (socket-lb: all of them; the server is the only backend). */
  toServer: number;
  /** At least netperf's two connections (control and data) went through the Service. */
  pass: boolean;
}

/** Reads what conntrack of `ns` (the client's node) kept of connections to `clusterIP` since they were last forgotten. */
export async function checkServicePath(ns: string, clusterIP: string, serverIp: string): Promise<ServicePathCheck> {
  const entries = await serviceConnections(ns, clusterIP);
  const toServer = entries.filter((e) => e.replySrc === serverIp).length;
  return { via: 'conntrack', node: ns, clusterIP, serverIp, connections: entries.length, toServer, pass: toServer >= 2 };
}
