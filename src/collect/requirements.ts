// The tools a plan needs, checked before anything is created, so a missing one costs the user one clear line.
import { which } from '../util/which.ts';
import { PrerequisiteError } from '../util/errors.ts';
import { findModel } from '../testbed/models/index.ts';
import { CNI_PATH, cniPluginPath } from '../testbed/cni.ts';
import type { CollectPlan } from './plan.ts';
import { checkIdleMode } from './idle.ts';
import { onlineCpus } from './placement.ts';

const FIX = 'run bash scripts/setup.sh (as root), then cnibench doctor';

export async function checkCollectPrerequisites(plan: CollectPlan): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new PrerequisiteError('the local testbed needs root (it creates network namespaces): run with sudo, or as root.');
  }
  const tools = new Set(['netperf', 'netserver', 'ip', 'tc', 'bridge', 'ss', 'sysctl']);
  let cni = false;
  for (const id of plan.models) {
    const m = findModel(id)!;
    if (m.attach.kind === 'bridge') cni = true;
    if (m.attach.kind === 'bpf-veth') { tools.add('clang'); tools.add('bpftool'); }
    if (m.policy.kind !== 'none') { tools.add(plan.iptables === 'nft' ? 'iptables-nft-restore' : 'iptables-legacy-restore'); tools.add('ipset'); }
    if (m.interHost?.kind === 'udp-tun' && plan.scenarios.includes('inter')) { tools.add('socat'); tools.add('taskset'); }
  }
  if (plan.profile) tools.add('perf');
  if (plan.wire === 'nic' && plan.scenarios.includes('inter')) tools.add('ethtool');
  const missing: string[] = [];
  for (const t of tools) if (!(await which(t))) missing.push(t);
  if (missing.length) throw new PrerequisiteError(`missing tool${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}; ${FIX}.`);
  if (plan.idle === 'awake') await checkIdleMode('awake');
  if (plan.placement === 'split' || plan.placement === 'both') {
    const cpus = await onlineCpus();
    if (cpus.length < 2) throw new PrerequisiteError(`--placement ${plan.placement} needs two online CPUs; this machine has ${cpus.length}: use --placement same.`);
  }
  if (cni) {
    for (const p of ['bridge', 'host-local']) {
      try { await cniPluginPath(p); } catch { throw new PrerequisiteError(`CNI plugin "${p}" is missing in ${CNI_PATH}; ${FIX}.`); }
    }
  }
}
