// Types shared by the policy-ruleset generators, plus the small renderer they all use to produce
// `iptables-restore` / `ipset restore` input. Everything here is pure (no processes, no I/O).
import { createHash } from 'node:crypto';

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

const TABLE_ORDER = ['raw', 'mangle', 'nat', 'filter'];

/** Quotes one argument for iptables-restore's tokenizer (double quotes, backslash escapes). */
export function quoteRestoreArg(arg: string): string {
  if (arg !== '' && /^[^\s"'\\]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["'\\])/g, '\\$1')}"`;
}

interface TableState {
  chains: string[];
  builtinsUsed: Set<string>;
  inserts: Map<string, string[][]>;
  lines: string[];
}

/**
 * Accumulates chains and rules table by table and renders `iptables-restore` input. User chains must be
 * declared once (a second declaration throws: generators must not define a chain twice); rules refer to
 * chains by name. `insert` puts rules at the top of a (built-in) chain in the order given, as CNI agents
 * do for their hooks; `append` adds them at the end.
 */
export class RestoreBuilder {
  private readonly tables = new Map<string, TableState>();
  private count = 0;

  private table(name: string): TableState {
    let t = this.tables.get(name);
    if (!t) {
      if (!TABLE_ORDER.includes(name)) throw new Error(`unknown table ${name}`);
      t = { chains: [], builtinsUsed: new Set(), inserts: new Map(), lines: [] };
      this.tables.set(name, t);
    }
    return t;
  }

  private isBuiltin(table: string, chain: string): boolean {
    return BUILTIN_CHAINS[table]?.includes(chain) ?? false;
  }

  /** Declares a user-defined chain. */
  chain(table: string, name: string): this {
    const t = this.table(table);
    if (this.isBuiltin(table, name)) throw new Error(`${table}/${name} is a built-in chain`);
    if (name.length > 28) throw new Error(`chain name ${name} is longer than 28 characters`);
    if (t.chains.includes(name)) throw new Error(`chain ${table}/${name} declared twice`);
    t.chains.push(name);
    return this;
  }

  hasChain(table: string, name: string): boolean {
    return this.tables.get(table)?.chains.includes(name) ?? false;
  }

  /** Appends a rule (`-A chain args…`). */
  append(table: string, chain: string, args: readonly string[]): this {
    const t = this.table(table);
    if (this.isBuiltin(table, chain)) t.builtinsUsed.add(chain);
    t.lines.push(['-A', chain, ...args].map(quoteRestoreArg).join(' '));
    this.count++;
    return this;
  }

  /** Inserts a rule at the top of a chain; several inserts into one chain keep their relative order. */
  insert(table: string, chain: string, args: readonly string[]): this {
    const t = this.table(table);
    if (this.isBuiltin(table, chain)) t.builtinsUsed.add(chain);
    const list = t.inserts.get(chain) ?? [];
    list.push([...args]);
    t.inserts.set(chain, list);
    this.count++;
    return this;
  }

  get ruleCount(): number {
    return this.count;
  }

  render(): string {
    const out: string[] = [];
    for (const name of TABLE_ORDER) {
      const t = this.tables.get(name);
      if (!t) continue;
      out.push(`*${name}`);
      // '-' keeps the built-in chain's current policy (we never change policies of the node namespace).
      for (const b of BUILTIN_CHAINS[name] ?? []) if (t.builtinsUsed.has(b)) out.push(`:${b} - [0:0]`);
      for (const c of t.chains) out.push(`:${c} - [0:0]`);
      for (const [chain, rules] of t.inserts) {
        rules.forEach((args, i) => out.push(['-I', chain, String(i + 1), ...args].map(quoteRestoreArg).join(' ')));
      }
      out.push(...t.lines);
      out.push('COMMIT');
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }
}

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

const IPSET_NAME_MAX = 31;

function quoteIpsetArg(arg: string): string {
  return /^[^\s"]+$/.test(arg) ? arg : `"${arg.replace(/"/g, '')}"`;
}

export function renderIpsets(sets: readonly IpsetSpec[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const s of sets) {
    if (s.name.length > IPSET_NAME_MAX) throw new Error(`ipset name ${s.name} is longer than ${IPSET_NAME_MAX}`);
    if (seen.has(s.name)) throw new Error(`ipset ${s.name} defined twice`);
    seen.add(s.name);
    lines.push(['create', s.name, s.type, ...(s.options ?? [])].map(quoteIpsetArg).join(' '));
  }
  for (const s of sets) {
    for (const m of s.members) lines.push(['add', s.name, ...m].map(quoteIpsetArg).join(' '));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

// ---------- small pure helpers shared by the generators ----------

export function sha(algo: 'sha1' | 'sha224' | 'sha256', data: string): Buffer {
  return createHash(algo).update(data).digest();
}

/** Go's base64.RawURLEncoding. */
export function base64RawUrl(buf: Buffer): string {
  return buf.toString('base64url');
}

/** Go's base32.StdEncoding (with padding). */
export function base32Std(buf: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

export function ipv4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base, lenText] = cidr.split('/');
  const len = Number(lenText ?? '32');
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((ipv4ToInt(base!) & mask) >>> 0) === ((ipv4ToInt(ip) & mask) >>> 0);
}

/** The /`len` network containing `ip`, e.g. `supernet('10.65.3.7', 16)` is `10.65.0.0/16`. */
export function supernet(ip: string, len: number): string {
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return `${intToIpv4((ipv4ToInt(ip) & mask) >>> 0)}/${len}`;
}
