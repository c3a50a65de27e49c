// Types shared by the policy-ruleset generators and the code that applies and counts them. Pure.

/** Which iptables backend applies a ruleset: the legacy x_tables one or iptables-nft (nf_tables + xt compat). */
export type IptablesFlavour = 'legacy' | 'nft';

export interface Ruleset {
  /** `iptables-restore --noflush` input covering every table the ruleset touches. */
  iptables: string;
  /** `ipset restore -exist` input; empty when the ruleset uses no IP sets. */
  ipsets: string;
  /** Number of rules (`-A` / `-I` lines) the ruleset installs. */
  ruleCount: number;
  /**
   * Chains an ESTABLISHED packet of the test flow (between the first two given pods/workloads, both
   * directions; or between the first one and a remote peer when only one is given) traverses and in which
   * it matches at least one rule, so that their counters can verify the path. Written `<table>:<chain>`
   * (see {@link chainKey}); built-in chains such as `filter:FORWARD` are included. Empty chains the packet
   * merely passes through (e.g. Calico's `cali-from-hep-forward` on a node without host endpoints) are not
   * listed, since nothing in them can count the packet.
   */
  perPacketChains: string[];
}

/** Counters of one chain, from `iptables-save -c`: the per-rule counters summed over the chain. */
export interface ChainCounter {
  table: string;
  chain: string;
  /** Sum of the packet counters of the chain's rules. */
  packets: number;
  /** Sum of the byte counters of the chain's rules. */
  bytes: number;
  /** Number of rules in the chain. */
  rules: number;
  /** Built-in chains only: the policy and the packets/bytes that fell through to it. */
  policy?: string;
  policyPackets?: number;
  policyBytes?: number;
}

/** The key `perPacketChains` uses for a chain. */
export function chainKey(table: string, chain: string): string {
  return `${table}:${chain}`;
}

/** Built-in chains of the IPv4 tables the generators use. */
export const BUILTIN_CHAINS: Readonly<Record<string, readonly string[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** One IP set for `ipset restore`. */
export interface IpsetSpec {
  name: string;
  /** e.g. `hash:ip`, `hash:net`, `list:set`. */
  type: string;
  /** Extra create options, e.g. `['family', 'inet', 'hashsize', '1024', 'maxelem', '1048576']`. */
  options?: string[];
  /** Members; each entry is the member followed by its add options (e.g. `['10.0.0.1', 'timeout', '0']`). */
  members: string[][];
}
