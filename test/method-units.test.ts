// The method's parts without a testbed: /proc and sysfs parsers on captured text, the schedule (order, seed replay,
// no run of one model), adaptive stopping on synthetic results, condition flags, and the plan's bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseContextSwitches, parseProcStat, busyTicks, totalTicks } from '../src/tools/proc/stat.ts';
import { parseSnmp, snmpConditions } from '../src/tools/proc/snmp.ts';
import { parseSoftnet } from '../src/tools/proc/softnet.ts';
import { parseAutogroupNice, parseCpusAllowed, parseCpuList, parsePidStat } from '../src/tools/proc/process.ts';
import { haltsBetween, pollStateIndex, readCpuidle, readIdleUsage } from '../src/tools/proc/cpuidle.ts';
import { awakeUnsupported } from '../src/collect/idle.ts';
import { parsePlan, type CollectPlan } from '../src/collect/plan.ts';
import { configsOf, planItems, prng, shuffled } from '../src/collect/schedule.ts';
import { decideAfterRound, extendRounds } from '../src/collect/stopping.ts';
import { atSenderNice, cpusFor, placementsOf } from '../src/collect/placement.ts';
import { modelsInUse } from '../src/local/testbeds.ts';
import { profileRawDir } from '../src/collect/profileRecord.ts';
import { conditionFlags, itemConditions, type HostSnapshot, type NamespaceSnapshot } from '../src/collect/conditions.ts';
import { conditionRow } from '../src/analysis/conditions.ts';
import { conditionDifferences, machineDisturbances, stabilityOfRun, stableShare, windowDifference, windowIndex } from '../src/analysis/stability.ts';
import type { Observation } from '../src/analysis/observations.ts';
import type { LoadedRun } from '../src/analysis/loadRun.ts';
import { binomialTail } from '../src/util/stats.ts';
import { probeSink, speedProbe } from '../src/tools/proc/speedProbe.ts';
import type { ItemRecord, RunManifest } from '../src/collect/manifest.ts';
import { UsageError } from '../src/util/errors.ts';

const FIX = join(import.meta.dirname, 'fixtures', 'proc');
const fixture = (name: string) => readFileSync(join(FIX, name), 'utf8');

test('/proc/stat: every CPU line, all eight time fields', () => {
  const s = parseProcStat(fixture('stat.txt'));
  assert.deepEqual(Object.keys(s).sort(), ['cpu', 'cpu0', 'cpu1']);
  for (const t of Object.values(s)) assert.ok(totalTicks(t) > busyTicks(t) && busyTicks(t) > 0);
  assert.equal(s.cpu!.user, s.cpu0!.user + s.cpu1!.user);
  assert.throws(() => parseProcStat('intr 1 2 3\n'), /no "cpu" line/);
  assert.equal(parseContextSwitches(fixture('stat.txt')), 106445810);
  assert.throws(() => parseContextSwitches('cpu 1 2 3 4 5 6 7 8\n'), /no "ctxt" line/);
});

test('/proc/net/snmp: header and value lines pair up; the conditions keep retransmissions and UDP errors', () => {
  const all = parseSnmp(fixture('snmp-flannel-pod.txt'));
  assert.equal(all['Ip:Forwarding'], 2);
  assert.ok(all['Tcp:RetransSegs']! > 0, 'this pod saw retransmissions');
  const c = snmpConditions(fixture('snmp-flannel-pod.txt'));
  assert.deepEqual(Object.keys(c), ['Tcp:RetransSegs', 'Tcp:InErrs', 'Udp:InErrors', 'Udp:RcvbufErrors', 'Udp:SndbufErrors', 'Udp:NoPorts']);
  assert.throws(() => parseSnmp('Tcp: A B\nUdp: 1 2\n'), /do not pair/);
  assert.throws(() => snmpConditions('Ip: Forwarding\nIp: 1\n'), /no Tcp:RetransSegs/);
});

test('/proc/net/softnet_stat: hexadecimal columns, the CPU number from the 13th column', () => {
  const s = parseSoftnet(fixture('softnet_stat.txt'));
  assert.deepEqual(s.map((c) => c.cpu), [0, 1]);
  assert.ok(s[0]!.processed > 0);
  assert.equal(parseSoftnet('0000000a 00000002 00000003\n')[0]!.dropped, 2, 'old kernels: three columns, CPU by position');
});

test('/proc/<pid>/stat and status: last CPU, times, nice value, affinity', () => {
  const s = parsePidStat(fixture('netserver.stat'));
  assert.equal(s.comm, 'netserver');
  assert.equal(s.nice, 0);
  assert.ok([0, 1].includes(s.lastCpu));
  assert.deepEqual(parseCpusAllowed(fixture('netserver.status')), [0, 1]);
  const odd = parsePidStat('42 (a) b (c)) R 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 30 10 1 0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 3 1 1 3 0');
  assert.equal(odd.comm, 'a) b (c)');
  assert.deepEqual([odd.utime, odd.stime, odd.nice, odd.lastCpu], [5, 6, 10, 3]);
  assert.deepEqual(parseCpuList('0-2,5,7-8'), [0, 1, 2, 5, 7, 8]);
  assert.equal(parseAutogroupNice('/autogroup-2695 nice 10\n'), 10);
  assert.equal(parseAutogroupNice('/autogroup-7 nice -5\n'), -5);
  assert.throws(() => parseAutogroupNice('nice 10'), /unreadable/);
});

test('cpuidle: the haltpoll driver has a polling state, so "awake" can hold it; no driver cannot', async () => {
  const root = join(FIX, 'cpu-haltpoll');
  const info = await readCpuidle(root);
  assert.equal(info.driver, 'haltpoll');
  assert.deepEqual(info.states.map((s) => s.name), ['POLL', 'haltpoll idle']);
  assert.equal(pollStateIndex(info), 0);
  assert.equal(awakeUnsupported(info), undefined);
  const usage = await readIdleUsage(root);
  const later = structuredClone(usage);
  later.cpu0!.usage[0]! += 1000; // polling: not a halt
  later.cpu1!.usage[1]! += 7;
  assert.deepEqual(haltsBetween(info, usage, later), { cpu0: 0, cpu1: 7 });
  const empty = await mkdtemp(join(tmpdir(), 'cnibench-cpu-'));
  try {
    const none = await readCpuidle(empty);
    assert.equal(none.driver, 'none');
    assert.match(awakeUnsupported(none)!, /no cpuidle driver/);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

const plan = (extra: Record<string, string | boolean> = {}): CollectPlan => parsePlan({ cni: 'flannel,cilium,calico-wp', tests: 'tcp_rr,udp_rr', reps: '4', seed: '42', ...extra });

test('interleaved rounds: each round every configuration once, controls included, no two consecutive items of one model by design', () => {
  const p = plan();
  assert.deepEqual(p.models, ['baseline', 'host', 'flannel', 'cilium', 'calico-wp'], 'controls baseline (intra) and host (inter) join the plan');
  assert.deepEqual(p.schedule!.controls, ['baseline', 'host']);
  const configs = configsOf(p).length;
  const items = planItems(p).filter((i) => i.kind === 'netperf');
  assert.equal(items.length, 4 * configs);
  for (let r = 1; r <= 4; r++) {
    const round = items.filter((i) => i.rep === r);
    assert.equal(round.length, configs);
    assert.equal(new Set(round.map((i) => `${i.model}/${i.scenario}/${i.test}`)).size, configs, `round ${r}: every configuration once`);
  }
  // Items of a round appear together, rounds in order.
  assert.deepEqual(items.map((i) => i.rep), [...items.map((i) => i.rep)].sort((a, b) => a - b));
  // Rounds are shuffled afresh: not every round in the same order, and not in catalogue (blocked) order.
  const orders = [1, 2, 3, 4].map((r) => items.filter((i) => i.rep === r).map((i) => i.id.replace(/\/\d+$/, '')).join(' '));
  assert.ok(new Set(orders).size > 1, 'rounds differ in order');
  const runs = items.reduce((n, it, k) => n + (k > 0 && items[k - 1]!.model === it.model ? 1 : 0), 0);
  assert.ok(runs < items.length / 2, `consecutive items of one model are the exception (${runs} of ${items.length})`);
});

test('the seed replays the order; another seed gives another', () => {
  const ids = (p: CollectPlan) => planItems(p).map((i) => i.id);
  assert.deepEqual(ids(plan()), ids(plan()));
  assert.notDeepEqual(ids(plan()), ids(plan({ seed: '43' })));
  assert.deepEqual(shuffled([1, 2, 3, 4, 5], prng(7)), shuffled([1, 2, 3, 4, 5], prng(7)));
  const unseeded = parsePlan({ cni: 'flannel' }).schedule!.seed;
  assert.ok(Number.isInteger(unseeded) && unseeded >= 0 && unseeded <= 0xffffffff, 'a drawn seed is recorded');
});

test('blocked order keeps model by model, repetitions back to back; both placements are two configurations', () => {
  const blocked = planItems(plan({ order: 'blocked' })).filter((i) => i.kind === 'netperf');
  assert.equal(blocked[0]!.id, 'baseline/intra/tcp_rr/001');
  assert.equal(blocked[1]!.id, 'baseline/intra/tcp_rr/002');
  const both = plan({ placement: 'both' });
  assert.deepEqual(placementsOf('both'), ['same', 'split']);
  assert.equal(configsOf(both).length, 2 * configsOf(plan()).length);
  assert.ok(planItems(both).some((i) => i.id === 'flannel/intra/tcp_rr@split/001'));
  assert.deepEqual(cpusFor('same', [0, 1]), { client: 0, server: 0 });
  assert.deepEqual(cpusFor('split', [0, 1]), { client: 0, server: 1 });
  assert.equal(cpusFor('free', [0, 1]), undefined);
});

test('profiles: one per model and scenario in each of the first rounds, shuffled in with the netperf items; launches come last', () => {
  const p = plan({ profile: true, launch: '2' });
  assert.equal(p.profile!.reps, 4, 'default 5, but no more than the 4 rounds');
  const items = planItems(p);
  const pairs = p.models.length * p.scenarios.length;
  for (let round = 1; round <= 4; round++) {
    const profiles = items.filter((i) => i.kind === 'profile' && i.rep === round);
    assert.equal(profiles.length, pairs, `round ${round}: a profile of every model and scenario`);
    const positions = items.map((i, k) => (i.rep === round && i.kind !== 'launch' ? k : -1)).filter((k) => k >= 0);
    assert.equal(positions.at(-1)! - positions[0]! + 1, positions.length, `round ${round} is contiguous`);
  }
  const kinds = items.map((i) => i.kind);
  assert.ok(kinds.indexOf('profile') < kinds.lastIndexOf('netperf'), 'profiles are interleaved, not appended');
  assert.ok(kinds.lastIndexOf('profile') < kinds.indexOf('launch') && kinds.lastIndexOf('netperf') < kinds.indexOf('launch'));
  assert.ok(items.filter((i) => i.kind === 'profile').every((i) => i.placement === 'same'));
  assert.ok(items.some((i) => i.id === 'flannel/inter/profile/004'));
  assert.throws(() => plan({ profile: true, profileReps: '6' }), /--profile-reps 6 is more than the 4 rounds/);
  assert.throws(() => parsePlan({ profileReps: '3' }), /only apply with --profile/);
  assert.equal(parsePlan({ cni: 'flannel', profile: true }).profile!.reps, 5, 'the default: five profiles');
});

test('profile tests: TCP_STREAM alone by default (recorded as before); request/response profiles get ids and folders of their own', () => {
  assert.equal(parsePlan({ cni: 'flannel', profile: true }).profile!.tests, undefined, 'stream only, as runs made before --profile-tests');
  assert.equal(parsePlan({ cni: 'flannel', profile: true, profileTests: 'tcp_stream' }).profile!.tests, undefined);
  const p = parsePlan({ cni: 'flannel', scenario: 'intra', tests: 'none', profile: true, profileTests: 'udp_rr, tcp_stream,tcp_rr', profileReps: '2' });
  assert.deepEqual(p.profile!.tests, ['tcp_stream', 'tcp_rr', 'udp_rr'], 'registry order whatever order was typed');
  assert.deepEqual(planItems(p).map((i) => `${i.id} ${i.test}`).sort(), [
    'flannel/intra/profile-tcp_rr/001 tcp_rr', 'flannel/intra/profile-tcp_rr/002 tcp_rr', 'flannel/intra/profile-udp_rr/001 udp_rr',
    'flannel/intra/profile-udp_rr/002 udp_rr', 'flannel/intra/profile/001 tcp_stream', 'flannel/intra/profile/002 tcp_stream',
  ]);
  assert.equal(profileRawDir({ model: 'flannel', scenario: 'intra', rep: 2, test: 'udp_rr' }), 'raw/flannel/intra/profile-udp_rr/002');
  assert.equal(profileRawDir({ model: 'flannel', scenario: 'intra', rep: 2, test: 'tcp_stream' }), 'raw/flannel/intra/profile/002');
  assert.throws(() => parsePlan({ profile: true, profileTests: 'sctp_rr' }), (e: unknown) => e instanceof UsageError && /unknown profile test "sctp_rr"; choose from: tcp_stream, tcp_rr, udp_rr, tcp_crr/.test(e.message));
  assert.throws(() => parsePlan({ profileTests: 'tcp_rr' }), /only apply with --profile/);
});

test('wire: veth by default and recorded, nic when asked, anything else refused', () => {
  assert.equal(parsePlan({ cni: 'flannel' }).wire, 'veth');
  assert.equal(parsePlan({ cni: 'flannel', wire: 'nic' }).wire, 'nic');
  assert.throws(() => parsePlan({ wire: 'fibre' }), (e: unknown) => e instanceof UsageError && /unknown --wire "fibre"; choose from: veth, nic/.test(e.message));
});

/** A manifest whose items carry synthetic results: `value(config, round)`. */
function synthetic(p: CollectPlan): RunManifest {
  const items: ItemRecord[] = planItems(p).map((i) => ({ ...i, status: 'pending', files: [] }));
  return { plan: p, items, stops: {} } as unknown as RunManifest;
}

function finishRound(m: RunManifest, value: (model: string, test: string, round: number) => number): void {
  for (const i of m.items.filter((x) => x.status === 'pending' && x.kind === 'netperf')) {
    if (i.scenario === 'inter' && i.model === 'baseline') { i.status = 'skipped'; continue; }
    i.status = 'ok';
    i.headline = { value: value(i.model, i.test, i.rep), units: 'Trans/s' };
  }
}

test('adaptive stopping: a steady configuration stops at the precision after min-rounds; a noisy one runs to max-rounds; controls run while their models do', () => {
  const q = parsePlan({ cni: 'flannel,cilium', scenario: 'intra', tests: 'tcp_rr', precision: '0.02', minRounds: '3', maxRounds: '8', seed: '1' });
  assert.equal(q.reps, 8);
  assert.deepEqual(q.schedule!.stopping, { precision: 0.02, minRounds: 3 });
  const noisy = (r: number) => (r % 2 ? 30_000 : 50_000);
  const value = (model: string, _t: string, r: number) => (model === 'cilium' ? noisy(r) : model === 'flannel' ? 40_000 + r : 60_000 + (r % 3));
  const m = synthetic(q);
  assert.equal(m.items.filter((i) => i.kind === 'netperf').length, 3 * 3, 'min-rounds planned up front');
  let rounds = 3;
  for (;;) {
    finishRound(m, value);
    const added = extendRounds(m);
    if (!added) break;
    rounds++;
  }
  assert.equal(rounds, 8);
  assert.equal(m.stops!['flannel/intra/tcp_rr']!.reason, 'precision');
  assert.equal(m.stops!['flannel/intra/tcp_rr']!.round, 3);
  assert.equal(m.stops!['cilium/intra/tcp_rr']!.reason, 'max-rounds');
  assert.equal(m.stops!['cilium/intra/tcp_rr']!.n, 8);
  assert.equal(m.items.filter((i) => i.model === 'baseline').length, 8, 'the control ran every round cilium ran');
  assert.deepEqual(m.items.map((i) => i.rep), m.items.map((i) => i.rep).sort((a, b) => a - b), 'rounds in order');
  // The decision depends on the results only: deciding again gives the same.
  const again = decideAfterRound(q, m.items, 3, configsOf(q));
  assert.deepEqual(again.next.map((c) => c.model).sort(), ['baseline', 'cilium']);
});

test('adaptive stopping: added rounds go after the profiles of the first rounds and before the launches', () => {
  const q = parsePlan({ cni: 'flannel', scenario: 'intra', tests: 'tcp_rr', precision: '0.001', minRounds: '2', maxRounds: '3', seed: '5', profile: true, launch: '1' });
  const m = synthetic(q);
  for (const i of m.items.filter((x) => x.kind === 'profile')) i.status = 'ok';
  finishRound(m, (_m, _t, r) => 1000 * r);
  assert.ok(extendRounds(m) > 0);
  const kinds = m.items.map((i) => `${i.kind}${i.rep}`);
  assert.ok(kinds.lastIndexOf('profile2') < kinds.indexOf('netperf3'));
  assert.ok(kinds.lastIndexOf('netperf3') < kinds.findIndex((k) => k.startsWith('launch')));
});

test('adaptive runs keep a model\'s testbed between rounds while any of its configurations has not stopped', () => {
  const q = parsePlan({ cni: 'flannel,cilium', scenario: 'intra', tests: 'tcp_rr', precision: '0.02', minRounds: '2', maxRounds: '5', seed: '9' });
  const m = synthetic(q);
  finishRound(m, (model, _t, r) => (model === 'cilium' ? (r % 2 ? 30_000 : 50_000) : 40_000 + r));
  // Round 2 is finished and round 3 not yet added: nothing is pending, yet cilium (noisy) and its control go on.
  assert.deepEqual([...modelsInUse(m)].sort(), ['baseline', 'cilium', 'flannel']);
  extendRounds(m);
  assert.deepEqual([...modelsInUse(m)].sort(), ['baseline', 'cilium'], 'flannel stopped at the precision: its testbed may go');
  const fixed = synthetic(parsePlan({ cni: 'flannel', scenario: 'intra', tests: 'tcp_rr', reps: '2', seed: '9' }));
  finishRound(fixed, () => 1);
  assert.deepEqual([...modelsInUse(fixed)], [], 'a fixed run needs nothing once no item is pending');
});

test('adaptive stopping: a configuration whose last min-rounds items all failed stops', () => {
  const q = parsePlan({ cni: 'flannel', scenario: 'intra', tests: 'tcp_rr', precision: '0.02', minRounds: '2', maxRounds: '10', seed: '3', noControl: true });
  const m = synthetic(q);
  for (let r = 0; r < 3; r++) {
    for (const i of m.items.filter((x) => x.status === 'pending')) Object.assign(i, { status: 'failed', reason: 'no answer' });
    if (!extendRounds(m)) break;
  }
  assert.equal(m.stops!['flannel/intra/tcp_rr']!.reason, 'failing');
});

const cpu = (user: number, idle: number, steal = 0) => ({ user, nice: 0, system: 0, idle, iowait: 0, irq: 0, softirq: 0, steal });
const host = (atMs: number, c0: ReturnType<typeof cpu>, c1: ReturnType<typeof cpu>, halts = [0, 0], dropped = 0, ctxt = 0): HostSnapshot => ({
  atMs,
  ctxt,
  cpu: { cpu: { ...c0, user: c0.user + c1.user, idle: c0.idle + c1.idle, steal: c0.steal + c1.steal }, cpu0: c0, cpu1: c1 },
  softnet: [{ cpu: 0, processed: 0, dropped, timeSqueeze: 0 }],
  idle: { cpu0: { usage: [0, halts[0]!], timeUs: [0, 0] }, cpu1: { usage: [0, halts[1]!], timeUs: [0, 0] } },
});
const ns = (retrans: number): NamespaceSnapshot => ({ links: { a: { eth0: { rxDropped: 0, txDropped: 0 } } }, snmp: { a: { 'Tcp:RetransSegs': retrans, 'Tcp:InErrs': 0, 'Udp:InErrors': 0, 'Udp:RcvbufErrors': 0, 'Udp:SndbufErrors': 0, 'Udp:NoPorts': 0 } } });

test('conditions: a quiet pinned item has no flags; steal, a busy foreign CPU, halts while awake, drops, retransmissions and a stray process each flag', async () => {
  const cpuidle = await readCpuidle(join(FIX, 'cpu-haltpoll'));
  const base = { placement: 'same' as const, cpus: { client: 0, server: 0 }, idle: 'awake' as const, cpuidle };
  const quiet = itemConditions({ ...base, hostBefore: host(0, cpu(0, 0), cpu(0, 0)), hostAfter: host(5000, cpu(500, 0), cpu(10, 490)), nsBefore: ns(0), nsAfter: ns(0),
    processes: [{ role: 'client', pid: 1, comm: 'netperf', cpus: [0, 0], allowed: [0], pinnedTo: 0 }] });
  assert.deepEqual(conditionFlags(quiet), []);
  assert.equal(quiet.wallMs, 5000);
  const noisy = itemConditions({ ...base, hostBefore: host(0, cpu(0, 0), cpu(0, 0), [0, 0], 0), hostAfter: host(5000, cpu(450, 0, 50), cpu(300, 200), [0, 400], 3), nsBefore: ns(10), nsAfter: ns(17),
    processes: [{ role: 'server', pid: 2, comm: 'netserver', cpus: [0, 1], allowed: [0, 1], pinnedTo: 0 }] });
  const flags = conditionFlags(noisy).join(' | ');
  for (const expected of [/steal 5\.0%/, /cpu1 busy 60%/, /cpu1 halted 400 times/, /3 packets dropped/, /7 TCP retransmissions/, /netserver \(server\) ran on CPU 1, pinned to 0/]) assert.match(flags, expected);
});

test('plan: every bad method option is one UsageError that says what to do', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ placement: 'nowhere' }, /unknown --placement "nowhere"; choose from: same, split, both, free/],
    [{ idle: 'deep' }, /unknown --idle mode "deep"; choose from: default, awake/],
    [{ precision: '0' }, /between 0 and 1/],
    [{ precision: '1' }, /between 0 and 1/],
    [{ precision: '-0.1' }, /between 0 and 1/],
    [{ precision: 'tight' }, /between 0 and 1/],
    [{ precision: '0.02', minRounds: '9', maxRounds: '4' }, /--min-rounds \(9\) is above --max-rounds \(4\)/],
    [{ precision: '0.02', minRounds: '1' }, /at least 2/],
    [{ precision: '0.02', reps: '5' }, /--reps fixes the number of rounds/],
    [{ precision: '0.02', order: 'blocked' }, /needs --order interleaved/],
    [{ maxRounds: '9' }, /add --precision/],
    [{ seed: 'abc' }, /--seed must be a whole number/],
    [{ seed: '-1' }, /--seed must be a whole number/],
    [{ seed: '4294967296' }, /--seed must be a whole number/],
    [{ order: 'random' }, /unknown --order "random"/],
    [{ warmup: '1.5' }, /--warmup must be a whole number/],
  ];
  for (const [input, message] of bad) {
    assert.throws(() => parsePlan(input), (e: unknown) => e instanceof UsageError && message.test(e.message), JSON.stringify(input));
  }
});

test('plan: defaults are interleaved, placement same, idle default, warm-ups of 2 s, controls on; --no-control drops them', () => {
  const p = parsePlan({ cni: 'flannel', scenario: 'intra' });
  assert.equal(p.schedule!.order, 'interleaved');
  assert.equal(p.placement, 'same');
  assert.equal(p.idle, 'default');
  assert.equal(p.schedule!.warmupS, 2);
  assert.deepEqual(p.models, ['baseline', 'flannel']);
  assert.deepEqual(parsePlan({ cni: 'flannel', scenario: 'intra', noControl: true }).models, ['flannel']);
  assert.equal(parsePlan({ cni: 'flannel', duration: '1' }).schedule!.warmupS, 1, 'a warm-up is never longer than a run');
  assert.deepEqual(parsePlan({ cni: 'baseline', scenario: 'intra' }).schedule!.controls, [], 'a control alone is just a model');
});

test('plan: netperf runs at nice 10 unless --sender-nice says otherwise (0-19); the nice command wraps the argv only when it is above 0', () => {
  assert.equal(parsePlan({ cni: 'flannel' }).senderNice, 10);
  assert.equal(parsePlan({ cni: 'flannel', senderNice: '0' }).senderNice, 0);
  assert.equal(parsePlan({ cni: 'flannel', senderNice: '19' }).senderNice, 19);
  for (const bad of ['20', '-1', '5.5', 'low', '']) {
    assert.throws(() => parsePlan({ cni: 'flannel', senderNice: bad }), (e: unknown) => e instanceof UsageError && /--sender-nice is the nice value netperf runs at, a whole number from 0/.test(e.message), bad);
  }
  const niced = atSenderNice(['netperf', '-H', '10.0.0.2'], 10);
  assert.deepEqual(niced.slice(0, 3), ['setsid', '-w', 'sh'], 'a session (and autogroup) of its own');
  assert.deepEqual(niced.slice(5), ['10', 'nice', '-n', '10', 'netperf', '-H', '10.0.0.2']);
  assert.ok(!niced.join(' ').includes('$(') && niced[4]!.includes('"$@"'), 'the arguments pass through "$@"');
  assert.deepEqual(atSenderNice(['netperf'], 0), ['netperf']);
  assert.deepEqual(atSenderNice(['netperf'], undefined), ['netperf'], 'runs made before the option: equal priority');
});

test('conditions: context switches per second are kept; a repetition that switched 1.5× as often (or 1/1.5) as the others is set apart by it', async () => {
  const cpuidle = await readCpuidle(join(FIX, 'cpu-haltpoll'));
  const base = { placement: 'same' as const, cpus: { client: 0, server: 0 }, idle: 'default' as const, cpuidle, nsBefore: ns(0), nsAfter: ns(0), processes: [] };
  const item = (switches: number) => itemConditions({ ...base, hostBefore: host(0, cpu(0, 0), cpu(0, 0), [0, 0], 0, 1000), hostAfter: host(5000, cpu(500, 0), cpu(1, 499), [0, 0], 0, 1000 + switches) });
  assert.equal(item(30_000).contextSwitches, 30_000);
  const row = (switches: number, rep: number) => conditionRow('r', { id: `m/intra/tcp_stream/${rep}`, model: 'm', scenario: 'intra', test: 'tcp_stream', rep }, item(switches));
  assert.equal(row(30_000, 1).switchesPerS, 6000);
  const usual = [row(30_000, 1), row(31_000, 2), row(29_000, 3)];
  assert.deepEqual(conditionDifferences(row(83_500, 4), usual), ['16.7k context switches/s (typical 6.0k)']);
  assert.deepEqual(conditionDifferences(row(36_000, 5), usual), []);
  // Files written before the counter was recorded: nothing to compare, no difference claimed.
  const old = { ...item(30_000) };
  delete old.contextSwitches;
  assert.equal(conditionRow('r', { id: 'x', model: 'm', scenario: 'intra', test: 'tcp_stream', rep: 6 }, old).switchesPerS, undefined);
  assert.deepEqual(conditionDifferences(row(83_500, 4), [conditionRow('r', { id: 'x', model: 'm', scenario: 'intra', test: 'tcp_stream', rep: 6 }, old)]), []);
});

test('machine-speed probe: times real work; an item whose probe ran 10% or more slower than its configuration\'s typical one is set apart by it', async () => {
  const sinkBefore = probeSink();
  const ms = speedProbe();
  assert.ok(Number.isFinite(ms) && ms > 0 && ms < 1000, `probe took ${ms} ms`);
  assert.notEqual(probeSink(), sinkBefore, 'the loop ran and its result was kept');
  const cpuidle = await readCpuidle(join(FIX, 'cpu-haltpoll'));
  const base = { placement: 'same' as const, cpus: { client: 0, server: 0 }, idle: 'default' as const, cpuidle, nsBefore: ns(0), nsAfter: ns(0), processes: [], hostBefore: host(0, cpu(0, 0), cpu(0, 0), [0, 0], 0, 1000), hostAfter: host(5000, cpu(500, 0), cpu(1, 499), [0, 0], 0, 31_000) };
  const row = (before: number, after: number, rep: number) => conditionRow('r', { id: `m/intra/tcp_rr/${rep}`, model: 'm', scenario: 'intra', test: 'tcp_rr', rep }, itemConditions({ ...base, speedProbeMs: { before, after } }));
  assert.deepEqual(itemConditions({ ...base, speedProbeMs: { before: 4.6123, after: 4.7 } }).speedProbeMs, { before: 4.61, after: 4.7 });
  assert.ok(Math.abs(row(4.6, 4.8, 1).speedProbeMs! - 4.7) < 1e-9, "the mean of before and after");
  const usual = [row(4.6, 4.6, 1), row(4.7, 4.7, 2), row(4.5, 4.7, 3)];
  assert.deepEqual(conditionDifferences(row(5.2, 5.4, 4), usual), ['machine-speed probe 15% slower (5.30 ms, typical 4.60)']);
  assert.deepEqual(conditionDifferences(row(4.9, 5.0, 5), usual), [], '8% slower is within the bar');
  // Files written before the probe was recorded: no difference claimed either way.
  assert.equal(conditionRow('r', { id: 'x', model: 'm', scenario: 'intra', test: 'tcp_rr', rep: 6 }, itemConditions(base)).speedProbeMs, undefined);
  assert.deepEqual(conditionDifferences(conditionRow('r', { id: 'x', model: 'm', scenario: 'intra', test: 'tcp_rr', rep: 6 }, itemConditions(base)), usual), []);
});

test('binomial tail: P(X ≥ k) for X ~ Binomial(n, p), edges included', () => {
  assert.ok(Math.abs(binomialTail(5, 10, 0.5) - 0.623046875) < 1e-12);
  assert.ok(Math.abs(binomialTail(1, 3, 0.1) - (1 - 0.9 ** 3)) < 1e-12);
  assert.equal(binomialTail(0, 5, 0.3), 1);
  assert.equal(binomialTail(6, 5, 0.3), 0);
  assert.equal(binomialTail(2, 5, 0), 0);
});

/**
 * 12 configurations × `rounds` rounds, 5 s apart, rounds 300 s apart (so ±60 s sees one round); `value` says what
 * each item read.
 */
function windowedRun(rounds: number, value: (c: number, rep: number) => number): { run: LoadedRun; obs: Observation[] } {
  const items: ItemRecord[] = [];
  const obs: Observation[] = [];
  const t0 = Date.parse('2026-11-30T20:00:00Z');
  for (let rep = 1; rep <= rounds; rep++) {
    for (let c = 0; c < 12; c++) {
      const model = `m${c}`;
      items.push({ id: `${model}/intra/tcp_rr/${rep}`, kind: 'netperf', model, scenario: 'intra', test: 'tcp_rr', rep, placement: 'same', status: 'ok', files: [], startedAt: new Date(t0 + rep * 300_000 + c * 5000).toISOString() });
      obs.push({ run: 'r', backend: 'local', model, label: model, cni: model, scenario: 'intra', test: 'tcp_rr', rep, placement: 'same', metric: 'transaction_rate', value: value(c, rep), unit: 'transactions/s' } as Observation);
    }
  }
  const plan = { models: items.slice(0, 12).map((i) => i.model), scenarios: ['intra'], tests: ['tcp_rr'], placement: 'same' };
  return { run: { runId: 'r', manifest: { items, plan } } as unknown as LoadedRun, obs };
}

test('machine-wide window: hits clustered in time around an item are named even when the neighbours\' median did not move; a lone hit is not', () => {
  // In round 5 a disturbance hits five configurations (0.8×); in round 8 one configuration alone reads 0.8×.
  const { run, obs } = windowedRun(10, (c, rep) => ((rep === 5 && c < 5) || (rep === 8 && c === 6) ? 800 : 1000));
  const windows = windowIndex(run, obs);
  assert.ok(Math.abs(windows.lowShare - 6 / 120) < 1e-12);
  const clustered = windows.byItem.get('m0/intra/tcp_rr@same#5')!;
  assert.deepEqual({ ...clustered }, { median: 1, n: 11, low: 4, high: 0 }, 'the median of the neighbours did not move');
  assert.equal(windowDifference(clustered, windows, true),
    '4 of the 11 items of other configurations measured within 60 s of it also ran 10% or more below their medians, against 5.0% of the whole run (a disturbance of the whole machine then)');
  assert.equal(windowDifference(clustered, windows, false), undefined, 'a fast repetition is not explained by slow neighbours');
  assert.equal(windowDifference(windows.byItem.get('m6/intra/tcp_rr@same#8'), windows, true), undefined, 'a lone slow item');
  // Everything around slower: the median test names it.
  assert.match(windowDifference({ median: 0.9, n: 11, low: 1, high: 0 }, windows, true)!, /ran at 0\.90× their medians \(the whole machine was slower\)/);
});

test('set aside: items caught in a whole-machine disturbance leave the statistics, openly; a configuration\'s own spread stays', () => {
  // Round 5 as above (five configurations at 0.7×, together); m6 alone reads 0.7× in round 8; m11 alternates between
  // 930 and 1070, a spread of its own that misses the bar.
  const { run, obs } = windowedRun(10, (c, rep) => ((rep === 5 && c < 5) || (rep === 8 && c === 6) ? 700 : c === 11 ? (rep % 2 ? 1070 : 930) : 1000));
  const aside = machineDisturbances(run, obs);
  assert.deepEqual(aside.map((a) => `${a.config}#${a.rep}`), ['m0/intra/tcp_rr#5', 'm1/intra/tcp_rr#5', 'm2/intra/tcp_rr#5', 'm3/intra/tcp_rr#5', 'm4/intra/tcp_rr#5']);
  assert.ok(aside.every((a) => Math.abs(a.ofMedian - 0.7) < 1e-9 && /also ran 10% or more below/.test(a.reason)));
  const rows = stabilityOfRun(run, obs, [], aside);
  const m0 = rows.find((r) => r.model === 'm0')!;
  assert.deepEqual([m0.n, m0.setAside, m0.stable, m0.all.n, m0.all.stable], [9, 1, true, 10, false], 'm0 meets the bar without its disturbed item, not with it');
  const m6 = rows.find((r) => r.model === 'm6')!;
  assert.deepEqual([m6.n, m6.setAside, m6.stable], [10, 0, false], 'a lone slow item has no witness and stays');
  assert.deepEqual([rows.find((r) => r.model === 'm11')!.setAside, rows.find((r) => r.model === 'm11')!.stable], [0, false], 'a spread of its own: kept, and it misses the bar');
  assert.deepEqual(stableShare(rows), { stable: 10, stableAll: 5, total: 12 });
  // With nothing set aside the judgement is the plain one.
  assert.deepEqual(stableShare(stabilityOfRun(run, obs, [])), { stable: 5, stableAll: 5, total: 12 });
  // In a sweep the size is part of every key: the same items at 100 Services are set aside and left out alike.
  const swept = { ...run, manifest: { ...run.manifest, items: run.manifest.items.map((i) => ({ ...i, services: 100 })) } } as LoadedRun;
  const sweptObs = obs.map((o) => ({ ...o, services: 100 }));
  const sweptAside = machineDisturbances(swept, sweptObs);
  assert.equal(sweptAside.length, 5);
  assert.ok(sweptAside.every((a) => a.services === 100 && a.config.endsWith('@svc100')));
  assert.deepEqual(stableShare(stabilityOfRun(swept, sweptObs, [], sweptAside)), { stable: 10, stableAll: 5, total: 12 });
});

test('in a sweep, a configuration\'s flags and outlier come from its own size, not from the model\'s other sizes', () => {
  // m0 at 10 rules: steady, its 2nd repetition flagged for steal; at 1,000 rules: a spread of its own, nothing flagged.
  const { run, obs } = windowedRun(4, () => 1000);
  const sizes = [10, 1000];
  const items = sizes.flatMap((policyRules) => run.manifest.items.filter((i) => i.model === 'm0').map((i) => ({ ...i, id: `${i.id}@rules${policyRules}`, policyRules })));
  const swept = { ...run, manifest: { ...run.manifest, plan: { ...run.manifest.plan, models: ['m0'] }, items } } as LoadedRun;
  const sweptObs = sizes.flatMap((policyRules) => obs.filter((o) => o.model === 'm0').map((o) => ({ ...o, policyRules, value: policyRules === 10 ? 1000 : o.rep % 2 ? 800 : 1200 })));
  const conditions = items.map((i) => ({
    run: 'r', item: i.id, model: 'm0', scenario: 'intra', test: 'tcp_rr', rep: i.rep, placement: 'same', idle: 'default', policyRules: i.policyRules,
    stealPct: i.policyRules === 10 && i.rep === 2 ? 9 : 0, busyPct: {}, halts: 0, drops: 0, tcpRetrans: 0, udpErrors: 0,
    flags: i.policyRules === 10 && i.rep === 2 ? ['steal 9.0%'] : [],
  }));
  const rows = stabilityOfRun(swept, sweptObs, conditions);
  const at = (n: number) => rows.find((r) => r.policyRules === n)!;
  assert.deepEqual([at(10).flaggedItems, at(10).stable], [1, true]);
  assert.deepEqual([at(1000).flaggedItems, at(1000).flags, at(1000).stable], [0, [], false], 'the steal of the 10-rule item is not the 1,000-rule configuration\'s');
  const outlier = at(1000).outlier;
  assert.ok(outlier && !outlier.differences.some((d) => /steal/.test(d)), 'its outlier is compared with its own items only');
});

test('set aside: never below two kept items of a configuration, the farthest ones go first', () => {
  // Three rounds; all but m11 read 1000, 700, 600: against their median (700) round 1 is 1.43× and round 3 0.86×, each
  // together with ten other configurations, so both are disturbances — but only one of three items may go.
  const { run, obs } = windowedRun(3, (c, rep) => (c < 11 ? [1000, 700, 600][rep - 1]! : 1000));
  const aside = machineDisturbances(run, obs);
  assert.equal(aside.length, 11);
  assert.ok(aside.every((a) => a.rep === 1 && a.model !== 'm11'), 'the farthest item (round 1) of each of m0–m10');
});
