// Applying a policy ruleset inside a network namespace, reading its counters back, and finding which iptables
// backends work on this machine. Every command goes through util/exec.ts `run` with an argument array and
// never touches the root namespace (all of them run with `ns` set, i.e. under `ip netns exec`).
import { randomBytes } from 'node:crypto';
import { run } from '../../util/exec.ts';
import { BUILTIN_CHAINS, type ChainCounter, type IptablesFlavour, type Ruleset } from './types.ts';

const FLAVOURS: readonly IptablesFlavour[] = ['legacy', 'nft'];

function tool(flavour: IptablesFlavour, suffix: '' | '-save' | '-restore'): string {
  if (!FLAVOURS.includes(flavour)) throw new Error(`unknown iptables flavour ${String(flavour)}`);
  return `iptables-${flavour}${suffix}`;
}

function requireNs(ns: string): void {
  // An empty name would run the command in the current (root) namespace; refuse that.
  if (!ns || !/^[\w.-]+$/.test(ns)) throw new Error(`a network namespace name is required, got ${JSON.stringify(ns)}`);
}

/**
 * Installs `rs` in namespace `ns`: one `ipset restore -exist` (when the ruleset has IP sets) and one
 * `iptables-{legacy,nft}-restore --noflush` with the text on stdin. `--noflush` leaves other components'
 * rules alone; the ruleset's own user chains are (re)declared, hence flushed, so re-applying the same ruleset
 * replaces its chains (but inserts the built-in-chain hooks again).
 */
export async function applyRuleset(ns: string, flavour: IptablesFlavour, rs: Ruleset): Promise<RulesetTiming> {
  requireNs(ns);
  const t0 = performance.now();
  if (rs.ipsets.trim()) await run(['ipset', 'restore', '-exist'], { ns, input: rs.ipsets, timeoutMs: 30_000 });
  const t1 = performance.now();
  // Checked before it is loaded (the sets it matches must exist by then), so a bad rule fails alone, naming its line.
  if (rs.iptables.trim()) await run([tool(flavour, '-restore'), '--test', '--noflush', '--wait=10'], { ns, input: rs.iptables, timeoutMs: 30_000 });
  const t2 = performance.now();
  if (rs.iptables.trim()) await run([tool(flavour, '-restore'), '--noflush', '--wait=10'], { ns, input: rs.iptables, timeoutMs: 30_000 });
  const ms = (a: number, b: number) => Math.round((b - a) * 1000) / 1000;
  return { ipsetMs: ms(t0, t1), checkMs: ms(t1, t2), loadMs: ms(t2, performance.now()) };
}

/** What applying a ruleset took, ms: its IP sets restored, its rules checked (`--test`), its rules loaded. */
export interface RulesetTiming {
  ipsetMs: number;
  checkMs: number;
  loadMs: number;
}

// ---------- parsing iptables-save / iptables-restore text ----------

/** Splits one rule line into arguments the way iptables-restore does (double quotes, backslash escapes). */
export function tokenizeRule(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inToken = true;
    } else if (ch === '"') {
      quoted = !quoted;
      inToken = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += ch;
      inToken = true;
    }
  }
  if (quoted) throw new Error(`unbalanced quote in rule: ${line}`);
  if (inToken) out.push(cur);
  return out;
}

export interface ParsedRule {
  chain: string;
  /** The rule's arguments after the chain name (and the insert position, for `-I`). */
  args: string[];
  /** `-j` / `-g` target, if any. */
  target?: string;
  goto: boolean;
  packets: number;
  bytes: number;
}

export interface ParsedChain {
  name: string;
  builtin: boolean;
  /** Policy of a built-in chain (`ACCEPT`, `DROP`, or `-` in restore input); '-' for user chains. */
  policy: string;
  policyPackets: number;
  policyBytes: number;
  /** How many times the chain was declared (restore input should declare each chain once). */
  declarations: number;
  rules: ParsedRule[];
}

export interface ParsedTable {
  name: string;
  chains: Map<string, ParsedChain>;
}

/** Parses `iptables-save [-c]` output or `iptables-restore` input. */
export function parseIptablesSave(text: string): ParsedTable[] {
  const tables: ParsedTable[] = [];
  let table: ParsedTable | undefined;
  const chainOf = (t: ParsedTable, name: string): ParsedChain => {
    let c = t.chains.get(name);
    if (!c) {
      c = { name, builtin: BUILTIN_CHAINS[t.name]?.includes(name) ?? false, policy: '-', policyPackets: 0, policyBytes: 0, declarations: 0, rules: [] };
      t.chains.set(name, c);
    }
    return c;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      table = { name: line.slice(1), chains: new Map() };
      tables.push(table);
      continue;
    }
    if (line === 'COMMIT') {
      table = undefined;
      continue;
    }
    if (!table) throw new Error(`iptables text: line outside a table: ${line}`);
    if (line.startsWith(':')) {
      const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?/.exec(line);
      if (!m) throw new Error(`iptables text: bad chain line: ${line}`);
      const c = chainOf(table, m[1]!);
      c.declarations++;
      c.policy = m[2]!;
      c.policyPackets = Number(m[3] ?? 0);
      c.policyBytes = Number(m[4] ?? 0);
      continue;
    }
    let rest = line;
    let packets = 0;
    let bytes = 0;
    const counters = /^\[(\d+):(\d+)\]\s+/.exec(rest);
    if (counters) {
      packets = Number(counters[1]);
      bytes = Number(counters[2]);
      rest = rest.slice(counters[0].length);
    }
    const tokens = tokenizeRule(rest);
    const op = tokens[0];
    if ((op !== '-A' && op !== '-I') || tokens.length < 2) throw new Error(`iptables text: unsupported line: ${line}`);
    const chain = tokens[1]!;
    const args = tokens.slice(op === '-I' && /^\d+$/.test(tokens[2] ?? '') ? 3 : 2);
    let target: string | undefined;
    let goto = false;
    for (let i = 0; i < args.length - 1; i++) {
      if (args[i] === '-j' || args[i] === '--jump' || args[i] === '-g' || args[i] === '--goto') {
        target = args[i + 1];
        goto = args[i] === '-g' || args[i] === '--goto';
      }
    }
    chainOf(table, chain).rules.push({ chain, args, target, goto, packets, bytes });
  }
  return tables;
}

/** Targets that are extensions, not chains. */
const TARGET_EXTENSIONS = new Set([
  'ACCEPT', 'DROP', 'RETURN', 'REJECT', 'MARK', 'CONNMARK', 'NFLOG', 'LOG', 'MASQUERADE', 'SNAT', 'DNAT', 'REDIRECT',
  'NOTRACK', 'CT', 'TPROXY', 'TRACE', 'SET', 'CHECKSUM', 'TCPMSS', 'DSCP', 'TOS', 'NFQUEUE', 'QUEUE',
]);

/**
 * Structural problems of a ruleset's iptables text: chains declared twice, jumps to chains that are not
 * declared, rules in undeclared chains, and a `ruleCount` that disagrees with the text. Empty if fine.
 */
export function lintRuleset(rs: Ruleset): string[] {
  const problems: string[] = [];
  let rules = 0;
  for (const t of parseIptablesSave(rs.iptables)) {
    for (const c of t.chains.values()) {
      if (c.declarations > 1) problems.push(`${t.name}/${c.name} declared ${c.declarations} times`);
      if (!c.builtin && c.declarations === 0) problems.push(`${t.name}/${c.name} has rules but is not declared`);
      for (const r of c.rules) {
        rules++;
        if (r.target && !TARGET_EXTENSIONS.has(r.target)) {
          const dst = t.chains.get(r.target);
          if (!dst || dst.declarations === 0) problems.push(`${t.name}/${c.name} jumps to undefined chain ${r.target}`);
          else if (dst.builtin) problems.push(`${t.name}/${c.name} jumps to built-in chain ${r.target}`);
        }
      }
    }
  }
  if (rules !== rs.ruleCount) problems.push(`ruleCount is ${rs.ruleCount} but the text has ${rules} rules`);
  for (const key of rs.perPacketChains) {
    const [table, chain] = key.split(':') as [string, string];
    const t = parseIptablesSave(rs.iptables).find((x) => x.name === table);
    const c = t?.chains.get(chain);
    if (!c || (!c.builtin && c.declarations === 0)) problems.push(`perPacketChains entry ${key} is not in the ruleset`);
  }
  return problems;
}

/**
 * Per-chain counters in `ns`, from `iptables-{legacy,nft}-save -c`: of every table, or of the `tables` named (one
 * save per table: with kube-proxy's rules for 10,000 Services in `nat`, saving `filter` alone is ~30× less to read).
 */
export async function readChainCounters(ns: string, flavour: IptablesFlavour, tables?: readonly string[]): Promise<ChainCounter[]> {
  requireNs(ns);
  const saves = tables === undefined ? [[]] : [...new Set(tables)].map((t) => ['-t', t]);
  const texts = await Promise.all(saves.map(async (t) => (await run([tool(flavour, '-save'), '-c', ...t], { ns, timeoutMs: 30_000 })).stdout));
  const out: ChainCounter[] = [];
  for (const t of texts.flatMap((text) => parseIptablesSave(text))) {
    for (const c of t.chains.values()) {
      const counter: ChainCounter = {
        table: t.name,
        chain: c.name,
        packets: c.rules.reduce((s, r) => s + r.packets, 0),
        bytes: c.rules.reduce((s, r) => s + r.bytes, 0),
        rules: c.rules.length,
      };
      if (c.builtin) {
        counter.policy = c.policy;
        counter.policyPackets = c.policyPackets;
        counter.policyBytes = c.policyBytes;
      }
      out.push(counter);
    }
  }
  return out;
}

/**
 * Packets counted in each of a few chains (keys `table:chain`), one `iptables -L CHAIN -v -x -n` per chain: for a node
 * whose rule set is large (tens of thousands of policy rules) this reads a few lines where a save of the table reads
 * all of it. A chain's packets are the sum of its rules' counters, as `readChainCounters` counts them.
 */
export async function readChainPackets(ns: string, flavour: IptablesFlavour, keys: readonly string[]): Promise<Map<string, number>> {
  requireNs(ns);
  const out = new Map<string, number>();
  // One after another: listing takes the xtables lock, so in parallel they would only wait for each other.
  for (const key of new Set(keys)) {
    const at = key.indexOf(':');
    const r = await run([tool(flavour, ''), '-w', '5', '-t', key.slice(0, at), '-L', key.slice(at + 1), '-v', '-x', '-n'], { ns, timeoutMs: 30_000 });
    out.set(key, listedPackets(r.stdout));
  }
  return out;
}

/** The sum of the rules' packet counters in `iptables -L CHAIN -v -x -n` output (a header line, a column line, rules). */
export function listedPackets(text: string): number {
  const lines = text.split('\n');
  if (!/^Chain \S+ \(/.test(lines[0] ?? '')) throw new Error(`not the listing of one chain: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  let packets = 0;
  for (const line of lines.slice(2)) {
    if (!line.trim()) continue;
    const first = line.trim().split(/\s+/, 1)[0]!;
    if (!/^\d+$/.test(first)) throw new Error(`a rule line without a packet count: ${JSON.stringify(line.slice(0, 80))}`);
    packets += Number(first);
  }
  return packets;
}

/**
 * Which iptables backends work here: runs `iptables-legacy -L -n` and `iptables-nft -L -n` inside a
 * throwaway namespace (created and deleted here, named `<nsPrefix><pid>-<random>`, default prefix
 * `cnibprobe-ipt-`). Empty when neither works (e.g. not root).
 */
export async function detectIptablesFlavours(opts: { nsPrefix?: string } = {}): Promise<IptablesFlavour[]> {
  const ns = `${opts.nsPrefix ?? 'cnibprobe-ipt-'}${process.pid}-${randomBytes(3).toString('hex')}`;
  requireNs(ns);
  const add = await run(['ip', 'netns', 'add', ns], { reject: false, timeoutMs: 10_000 }).catch(() => undefined);
  if (add?.exitCode !== 0) return [];
  try {
    const found: IptablesFlavour[] = [];
    for (const f of FLAVOURS) {
      const r = await run([tool(f, ''), '-w', '5', '-L', '-n'], { ns, reject: false, timeoutMs: 15_000 }).catch(() => undefined);
      if (r?.exitCode === 0) found.push(f);
    }
    return found;
  } finally {
    await run(['ip', 'netns', 'del', ns], { reject: false, timeoutMs: 10_000 }).catch(() => undefined);
  }
}
