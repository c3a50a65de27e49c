// Re-programming a node's policy after a pod came or went, the way an agent syncs: the ruleset generated for the
// new set of pods replaces the old one. Its user chains are re-declared (so flushed and refilled) in one
// `iptables-restore --noflush` transaction; the hooks in built-in chains are left as they are (re-inserting them
// would stack a second copy); chains of the pod that left are flushed and deleted; IP-set members that left are
// deleted. Pure: text in, text out.
import { BUILTIN_CHAINS, type Ruleset } from './types.ts';

export interface PolicyUpdate {
  iptables: string;
  ipsets: string;
}

interface TableText {
  name: string;
  declarations: string[];
  rules: string[];
}

function parseTables(text: string): TableText[] {
  const tables: TableText[] = [];
  let cur: TableText | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) tables.push((cur = { name: line.slice(1), declarations: [], rules: [] }));
    else if (!cur || line === 'COMMIT' || line.trim() === '') continue;
    else if (line.startsWith(':')) cur.declarations.push(line);
    else cur.rules.push(line);
  }
  return tables;
}

const chainOfDeclaration = (line: string) => line.slice(1).split(' ')[0]!;
const chainOfRule = (line: string) => line.split(' ')[1]!;

/** The restore input that turns a node programmed with `prev` into one programmed with `next`. */
export function policyUpdate(prev: Ruleset, next: Ruleset): PolicyUpdate {
  const before = new Map(parseTables(prev.iptables).map((t) => [t.name, t]));
  const out: string[] = [];
  const tables = parseTables(next.iptables);
  const names = new Set([...tables.map((t) => t.name), ...before.keys()]);
  for (const name of names) {
    const t = tables.find((x) => x.name === name) ?? { name, declarations: [], rules: [] };
    const builtin = new Set(BUILTIN_CHAINS[name] ?? []);
    const userChains = t.declarations.map(chainOfDeclaration).filter((c) => !builtin.has(c));
    const gone = (before.get(name)?.declarations ?? []).map(chainOfDeclaration).filter((c) => !builtin.has(c) && !userChains.includes(c));
    const rules = t.rules.filter((r) => !builtin.has(chainOfRule(r)));
    if (userChains.length === 0 && gone.length === 0) continue;
    out.push(`*${name}`, ...userChains.map((c) => `:${c} - [0:0]`), ...rules, ...gone.map((c) => `-F ${c}`), ...gone.map((c) => `-X ${c}`), 'COMMIT');
  }
  return { iptables: out.length ? `${out.join('\n')}\n` : '', ipsets: ipsetUpdate(prev.ipsets, next.ipsets) };
}

/** `create` and `add` lines of the new sets (restored with -exist), and `del` for members that left. */
function ipsetUpdate(prev: string, next: string): string {
  const member = (line: string) => line.split(' ').slice(0, 3).join(' ');
  const nextLines = next.split('\n').filter(Boolean);
  const kept = new Set(nextLines.filter((l) => l.startsWith('add ')).map(member));
  const left = prev.split('\n').filter((l) => l.startsWith('add ') && !kept.has(member(l))).map((l) => `del ${l.split(' ').slice(1, 3).join(' ')}`);
  const lines = [...nextLines, ...left];
  return lines.length ? `${lines.join('\n')}\n` : '';
}
