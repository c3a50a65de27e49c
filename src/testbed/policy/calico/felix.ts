// How Felix writes iptables rules (felix/rules, felix/iptables): its mark bits, chain-name hashing, the
// "cali:<hash>" comment on every rule, and which chains get programmed (only those reachable from a hook).
import { RestoreBuilder } from '../restore.ts';
import { base64RawUrl, sha } from '../hashNames.ts';

export const MARK_ACCEPT = 0x10000;
export const MARK_PASS = 0x20000;
export const MARK_SCRATCH0 = 0x40000;
export const ALL_CALICO_MARKS = 0xf0000;
export const WIREGUARD_MARK = 0x100000;
export const MAX_CHAIN = 28;
export const VXLAN_PORT = 4789;

const hex = (n: number): string => `0x${n.toString(16)}`;
export const setMark = (m: number): string[] => ['-j', 'MARK', '--set-xmark', `${hex(m)}/${hex(m)}`];
export const clearMark = (m: number): string[] => ['-j', 'MARK', '--set-xmark', `0x0/${hex(m)}`];
export const markSet = (m: number): string[] => ['-m', 'mark', '--mark', `${hex(m)}/${hex(m)}`];
export const markClear = (m: number): string[] => ['-m', 'mark', '--mark', `0x0/${hex(m)}`];
export const markNotClear = (m: number): string[] => ['-m', 'mark', '!', '--mark', `0x0/${hex(m)}`];
export const ctstate = (s: string): string[] => ['-m', 'conntrack', '--ctstate', s];
export const dports = (ports: readonly (number | string)[]): string[] => ['-m', 'multiport', '--dports', ports.join(',')];
export const sports = (ports: readonly (number | string)[]): string[] => ['-m', 'multiport', '--sports', ports.join(',')];

/** hashutils.GetLengthLimitedID: prefix+suffix, or prefix + "_" + sha224(suffix) when too long. */
export function lengthLimitedId(prefix: string, suffix: string, maxLen = MAX_CHAIN): string {
  if (prefix.length + suffix.length <= maxLen && !suffix.startsWith('_')) return prefix + suffix;
  return `${prefix}_${base64RawUrl(sha('sha224', suffix)).slice(0, maxLen - prefix.length - 1)}`;
}

/** Felix's IP set for a selector: "cali40" + "s:" + hash (31 characters). */
export function selectorIpsetName(selector: string): string {
  return `cali40s:${base64RawUrl(sha('sha224', selector)).slice(0, 23)}`;
}

export interface RuleParts {
  match?: string[];
  action?: string[];
  comments?: string[];
}

/**
 * Renders rules the way Felix does: a "cali:<hash>" comment, then rule comments, match and action. Like
 * Felix's iptables Table (felix/iptables/table.go, chainRefCounts), only chains reachable from the built-in
 * chains' hooks are programmed: e.g. the failsafe chains (used only by host endpoints), the WireGuard mark
 * chain and the unused direction of a policy are rendered but not installed.
 */
export class FelixWriter {
  private readonly chains = new Map<string, Map<string, string[][]>>();
  private readonly hooks: { table: string; chain: string; args: string[] }[] = [];
  private readonly appends: { table: string; chain: string; args: string[] }[] = [];
  private readonly prev = new Map<string, string>();

  chain(table: string, name: string): void {
    let t = this.chains.get(table);
    if (!t) this.chains.set(table, (t = new Map()));
    if (t.has(name)) throw new Error(`chain ${table}/${name} rendered twice`);
    t.set(name, []);
  }

  private args(table: string, chain: string, r: RuleParts): string[] {
    const body = [
      ...(r.comments ?? []).flatMap((c) => ['-m', 'comment', '--comment', c]),
      ...(r.match ?? []),
      ...(r.action ?? []),
    ];
    const key = `${table}/${chain}`;
    const hash = base64RawUrl(sha('sha224', `${chain}\n${this.prev.get(key) ?? ''}\n${body.join(' ')}`)).slice(0, 16);
    this.prev.set(key, hash);
    return ['-m', 'comment', '--comment', `cali:${hash}`, ...body];
  }

  rule(table: string, chain: string, r: RuleParts): void {
    const c = this.chains.get(table)?.get(chain);
    if (c) c.push(this.args(table, chain, r));
    else this.appends.push({ table, chain, args: this.args(table, chain, r) });
  }

  /** A hook at the top of a built-in chain. */
  hook(table: string, chain: string, r: RuleParts): void {
    this.hooks.push({ table, chain, args: this.args(table, chain, r) });
  }

  finish(): RestoreBuilder {
    const targetOf = (args: string[]): string | undefined => {
      const i = args.findIndex((a) => a === '-j' || a === '-g');
      return i >= 0 ? args[i + 1] : undefined;
    };
    const reachable = new Map<string, Set<string>>();
    for (const [table, chains] of this.chains) {
      const seen = new Set<string>();
      const queue = [...this.hooks, ...this.appends].filter((h) => h.table === table).map((h) => targetOf(h.args));
      while (queue.length) {
        const c = queue.pop();
        if (!c || seen.has(c) || !chains.has(c)) continue;
        seen.add(c);
        for (const args of chains.get(c)!) queue.push(targetOf(args));
      }
      reachable.set(table, seen);
    }
    const b = new RestoreBuilder();
    for (const [table, chains] of this.chains) {
      for (const name of chains.keys()) if (reachable.get(table)!.has(name)) b.chain(table, name);
    }
    for (const h of this.hooks) b.insert(h.table, h.chain, h.args);
    for (const a of this.appends) b.append(a.table, a.chain, a.args);
    for (const [table, chains] of this.chains) {
      for (const [name, rules] of chains) if (reachable.get(table)!.has(name)) for (const r of rules) b.append(table, name, r);
    }
    return b;
  }
}
