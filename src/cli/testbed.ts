// `cnibench testbed up|down|list|cleanup` and `cnibench models`: hands-on access to the local testbed.
import { HELP } from './help.ts';
import { parseOptions } from './options.ts';
import { UsageError, PrerequisiteError } from '../util/errors.ts';
import { MODELS, MODEL_IDS, findModel } from '../testbed/models/index.ts';
import { type Scenario } from '../testbed/model.ts';
import { requiredFeatures } from '../testbed/kinds/index.ts';
import { policyForm } from '../testbed/kinds/policy/index.ts';
import { testbedDown, testbedUp } from '../testbed/lifecycle.ts';
import { cleanup, ourNamespaces } from '../testbed/cleanup.ts';
import { listStates, loadState } from '../testbed/state.ts';
import { isPrefix } from '../testbed/names.ts';
import { missingFeatures } from '../testbed/features.ts';
import { parsePlan, proxyOf } from '../collect/plan.ts';
import { proxyFeatures } from '../testbed/build/services.ts';
import { checkCollectPrerequisites } from '../local/requirements.ts';
import { type NodeName, type Testbed, endpointsOf } from '../testbed/topology.ts';

export async function runModels(args: string[]): Promise<number> {
  const { values } = parseOptions('models', args, { json: { type: 'boolean' } });
  if (values.help) { process.stdout.write(HELP.models + '\n'); return 0; }
  if (values.json) { process.stdout.write(JSON.stringify(MODELS, null, 2) + '\n'); return 0; }
  const w = Math.max(...MODEL_IDS.map((m) => m.length));
  for (const m of MODELS) process.stdout.write(`${m.id.padEnd(w)}  ${m.scenarios.join('+').padEnd(11)}  ${m.summary}\n`);
  return 0;
}

function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new PrerequisiteError('the testbed needs root (it creates network namespaces): run with sudo, or as root.');
}

export async function runTestbed(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '-h' || sub === '--help') { process.stdout.write(HELP.testbed + '\n'); return sub ? 0 : 2; }
  switch (sub) {
    case 'up': return up(rest);
    case 'down': return down(rest);
    case 'list': return list(rest);
    case 'cleanup': return clean(rest);
    default: throw new UsageError(`unknown testbed command "${sub}"; use up, down, list or cleanup.`);
  }
}

async function up(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('testbed', args, {
    scenario: { type: 'string' },
    iptables: { type: 'string' },
    'calico-rules': { type: 'string' },
    'policy-rules': { type: 'string' },
    wire: { type: 'string' },
    proxy: { type: 'string' },
    services: { type: 'string' },
    'no-netserver': { type: 'boolean' },
  }, true);
  if (values.help) { process.stdout.write(HELP.testbed + '\n'); return 0; }
  if (positionals.length !== 1) throw new UsageError(`testbed up takes one model; choose from: ${MODEL_IDS.join(', ')}.`);
  const plan = parsePlan({ cni: positionals[0], scenario: values.scenario, iptables: values.iptables, calicoRules: values['calico-rules'], policyRules: values['policy-rules'], wire: values.wire, proxy: values.proxy, services: values.services, reps: '1', duration: '1', noControl: true });
  if (plan.proxy?.modes) throw new UsageError(`testbed up builds one Service datapath; name one of ${plan.proxy.modes.join(', ')} in --proxy.`);
  const model = findModel(plan.models[0]!)!;
  requireRoot();
  await checkCollectPrerequisites(plan);
  const scenarios = plan.scenarios.filter((s) => model.scenarios.includes(s));
  if (scenarios.length === 0) throw new UsageError(`${model.id} has no ${plan.scenarios.join('/')} path; it supports ${model.scenarios.join(', ')}.`);
  const usable: Scenario[] = [];
  for (const s of scenarios) {
    const missing = await missingFeatures(requiredFeatures(model, s));
    if (missing.length) process.stderr.write(`skipping ${s}: ${missing.map((m) => m.detail).join('; ')}\n`);
    else usable.push(s);
  }
  if (usable.length === 0) throw new PrerequisiteError(`${model.id} cannot be built on this kernel.`);
  const proxy = plan.proxy ? { ...plan.proxy, mode: proxyOf(plan.proxy.mode, model.id), target: 'service' as const } : undefined;
  if (proxy) {
    const missing = await missingFeatures(proxyFeatures(model, proxy));
    if (missing.length) throw new PrerequisiteError(`--proxy ${proxy.mode} cannot be built here: ${missing.map((m) => m.detail).join('; ')}.`);
  }
  const t0 = performance.now();
  const tb = await testbedUp(model, { scenarios: usable, iptables: plan.iptables, calicoRules: plan.calicoRules, ...(plan.policyRules ? { policyRules: plan.policyRules.rules } : {}), wire: plan.wire, netservers: !values['no-netserver'], ...(proxy ? { proxy } : {}) });
  const ms = performance.now() - t0;
  const lines = [
    `testbed ${tb.prefix}: ${model.id} (${usable.join(', ')}) up in ${ms.toFixed(0)} ms`,
    ...tb.nodes.map((n) => `  node ${n.name}: netns ${n.ns}, underlay ${n.underlayIp}, pod CIDR ${n.podCidr}${policyWords(tb.policy?.[n.name], policyForm(model.policy))}`),
    ...(tb.policyRules !== undefined ? [`  policy: ${tb.policyRules.toLocaleString('en-US')} rules added ahead of the one admitting the test flow (--policy-rules)`] : []),
    ...(tb.wireOffloadsOff ? [`  wire: NIC-like, offloads off on each node's eth0 (${[...new Set(Object.values(tb.wireOffloadsOff).flat())].join(', ')})`] : []),
    ...tb.pods.map((p) => `  pod  ${p.name}: netns ${p.ns}, ${p.ip} on ${p.node}${p.hostIf ? ` via ${p.hostIf}` : ''}`),
    ...usable.map((s) => {
      const ep = endpointsOf(tb, s);
      return `  ${s}: ip netns exec ${ep.clientNs} netperf -H ${ep.serverIp}${values['no-netserver'] ? '' : '   (netserver is running)'}`;
    }),
    ...(tb.services ? usable.flatMap((s) => {
      const svc = tb.services!.underTest[s];
      const join = tb.services!.socketLb ? `sh -c 'echo $$ > ${tb.services!.socketLb.cgroup}/cgroup.procs && exec "$@"' sh ` : '';
      return svc ? [`  ${s} through its Service (${tb.services!.mode}, ${tb.services!.extra} other Services): ${join}ip netns exec ${endpointsOf(tb, s).clientNs} netperf -H ${svc.clusterIP} -t TCP_CRR -- -P ,${svc.dataPort}`] : [];
    }) : []),
    ...tb.emulation.map((e) => `  emulated: ${e}`),
    `remove it with: cnibench testbed down ${tb.prefix}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function down(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('testbed', args, {}, true);
  if (values.help) { process.stdout.write(HELP.testbed + '\n'); return 0; }
  if (positionals.length !== 1 || !isPrefix(positionals[0]!)) {
    throw new UsageError('testbed down takes one testbed prefix such as cnib1a2b3c (see cnibench testbed list), or use cnibench testbed cleanup.');
  }
  requireRoot();
  const prefix = positionals[0]!;
  const tb = await loadState(prefix);
  const t0 = performance.now();
  if (tb) await testbedDown(tb, findModel(tb.model));
  const report = await cleanup(prefix); // anything the state did not know about
  if (!tb && report.namespaces.length === 0) throw new UsageError(`no testbed ${prefix} here (see cnibench testbed list).`);
  process.stdout.write(`testbed ${prefix} removed in ${(performance.now() - t0).toFixed(0)} ms\n`);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parseOptions('testbed', args, {});
  if (values.help) { process.stdout.write(HELP.testbed + '\n'); return 0; }
  const states = await listStates();
  const namespaces = await ourNamespaces();
  for (const s of states) process.stdout.write(`${s.prefix}  ${s.model}  ${s.scenarios.join('+')}  since ${s.createdAt}\n`);
  const orphans = namespaces.filter((n) => !states.some((s) => n.startsWith(s.prefix + '-')));
  for (const n of orphans) process.stdout.write(`${n}  (namespace without state: cnibench testbed cleanup removes it)\n`);
  if (!states.length && !orphans.length) process.stdout.write('no testbeds\n');
  return 0;
}

async function clean(args: string[]): Promise<number> {
  const { values } = parseOptions('testbed', args, {});
  if (values.help) { process.stdout.write(HELP.testbed + '\n'); return 0; }
  requireRoot();
  const r = await cleanup();
  process.stdout.write(r.prefixes.length
    ? `removed ${r.prefixes.length} testbed(s): ${r.namespaces.length} namespaces, ${r.processes} processes, ${r.tempDirs.length} perf working folders (${r.prefixes.join(', ')})\n`
    : 'nothing to clean up\n');
  return 0;
}

/** What a node's policy holds, as `testbed up` prints it: iptables rules, or BPF map entries (Cilium-wp). */
function policyWords(p: NonNullable<Testbed['policy']>[NodeName], form: 'iptables' | 'bpf-maps'): string {
  if (!p) return '';
  const n = (x: number) => x.toLocaleString('en-US');
  return form === 'bpf-maps' ? `, ${n(p.ruleCount)} policy-map entries and ${n(p.ipcacheEntries ?? 0)} ipcache entries` : `, ${n(p.ruleCount)} policy rules`;
}
