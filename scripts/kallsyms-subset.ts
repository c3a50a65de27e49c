// Rebuilds test/fixtures/perf/kallsyms-subset.txt.gz from this machine's /proc/kallsyms: the names (deduplicated,
// `__pfx_` padding dropped) that the perf tests check patterns against — those with a prefix the first tier, the
// context boundaries or the idle list use (the list below), and those any second-tier pattern matches.
//   node --import tsx scripts/kallsyms-subset.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { STACK_RULES, TRANSPARENT_FRAMES, globToRegExp, normalizeSymbol } from '../src/tools/perf/index.ts';

const FIRST_TIER = /^(__|_)?(br|brnf|fib|ip|nf|nft|xt|ebt|arpt|hash|bitmap|list_set|bpf|cls|tc|tcf|sch|skb_do|veth|vxlan|udp|tun|ovs|netdev|internal|do_|masked|queue_|maybe|fdb|nbp|setup_pre|gro|napi|netif|dev_|handle_softirqs|asm_|sysvec|common_interrupt|irq|do_softirq|run_ksoftirqd|net_rx|process_backlog|cpu|call_cpuidle|default_|arch_cpu|acpi_idle|acpi_safe|acpi_processor_ffh|intel_idle|mwait|pv_native|native_safe|pvm|haltpoll|poll_idle|tick_nohz|schedule_idle|trace|kprobe|perf_trace|_raw_spin)|conntrack|storage/;
const second = [...STACK_RULES.flatMap((g) => g.patterns), ...TRANSPARENT_FRAMES].map(globToRegExp);
const names = [...new Set(readFileSync('/proc/kallsyms', 'utf8').split('\n').map((l) => l.split(/\s+/)[2] ?? '').filter((n) => n && !n.startsWith('__pfx_')))].sort();
const kept = names.filter((n) => FIRST_TIER.test(n) || second.some((re) => re.test(normalizeSymbol(n))));
writeFileSync(new URL('../test/fixtures/perf/kallsyms-subset.txt.gz', import.meta.url), gzipSync(kept.join('\n') + '\n', { level: 9 }));
console.log(`${kept.length} of ${names.length} names kept`);
