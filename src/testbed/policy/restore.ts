// The renderer every policy generator uses for `iptables-restore` and `ipset restore` input. Pure (no processes).
import { BUILTIN_CHAINS, type IpsetSpec } from './types.ts';

const TABLE_ORDER = ['raw', 'mangle', 'nat', 'filter'];

/** Quotes one argument for iptables-restore's tokenizer (double quotes, backslash escapes). */
function quoteRestoreArg(arg: string): string {
  if (arg !== '' && /^[^\s"'\\]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["'\\])/g, '\\$1')}"`;
}

interface TableState {
  chains: string[];
  /** The same names, for the declared-twice check (tens of thousands of chains: kube-proxy with many Services). */
  chainSet: Set<string>;
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
      t = { chains: [], chainSet: new Set(), builtinsUsed: new Set(), inserts: new Map(), lines: [] };
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
    if (t.chainSet.has(name)) throw new Error(`chain ${table}/${name} declared twice`);
    t.chains.push(name);
    t.chainSet.add(name);
    return this;
  }

  hasChain(table: string, name: string): boolean {
    return this.tables.get(table)?.chainSet.has(name) ?? false;
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
