// The extra rules --policy-rules N adds to the policy that selects the netperf pods: N NetworkPolicy ingress rules,
// each admitting one made-up client address (an ipBlock /32 from 198.18.0.0/15, RFC 2544's benchmarking range, which
// no testbed address is in) on one TCP port. Each CNI renders them its own way (Felix: a --source match per rule;
// kube-router and weave-npc: an IP set per ipBlock); none admits the test flow, which the policy's last rule allows, so
// every new connection of the test walks all N before it is accepted. Pure.
import { intToIpv4, ipv4ToInt } from './ipv4.ts';

/**
 * The most --policy-rules the generators make. kube-router and weave-npc create one IP set per ipBlock rule and the
 * kernel holds at most 65,534 sets per network namespace; 198.18.0.0/15 has 131,072 addresses.
 */
export const MAX_POLICY_RULES = 20_000;

export interface ScaleRule {
  /** The one address the rule admits, as a /32. */
  cidr: string;
  /** The TCP port it admits it on. */
  port: number;
}

const BASE = ipv4ToInt('198.18.0.0');
/** Ports the rules cycle through (1024–9999, skipping netperf's 12865 and the data ports above it anyway). */
const FIRST_PORT = 1024;
const PORTS = 9000;

/** The `n` extra rules, the same for every CNI so that their rule sets express one policy. */
export function scaleRules(n: number): ScaleRule[] {
  if (!Number.isInteger(n) || n < 0 || n > MAX_POLICY_RULES) throw new Error(`policy rules must be a whole number from 0 to ${MAX_POLICY_RULES} (got ${n})`);
  return Array.from({ length: n }, (_, i) => ({ cidr: `${intToIpv4((BASE + i + 1) >>> 0)}/32`, port: FIRST_PORT + (i % PORTS) }));
}
