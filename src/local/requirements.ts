// The tools a plan needs, checked before anything is created, so a missing one costs the user one clear line.
import { which } from '../util/which.ts';
import { PrerequisiteError } from '../util/errors.ts';
import { findModel } from '../testbed/models/index.ts';
import { interHostKind } from '../testbed/kinds/interHost/index.ts';
import { attachKind } from '../testbed/kinds/attach/index.ts';
import { policyKind } from '../testbed/kinds/policy/index.ts';
import { CNI_PATH, cniPluginPath } from '../testbed/cni.ts';
import { type CollectPlan, proxyModesOf } from '../collect/plan.ts';
import { checkIdleMode } from '../collect/idle.ts';
import { onlineCpus } from '../collect/placement.ts';
import { proxyTools } from '../testbed/build/services.ts';

const FIX = 'run bash scripts/setup.sh (as root), then cnibench doctor';

export async function checkCollectPrerequisites(plan: CollectPlan): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new PrerequisiteError('the local testbed needs root (it creates network namespaces): run with sudo, or as root.');
  }
  const tools = new Set(['netperf', 'netserver', 'ip', 'tc', 'bridge', 'ss', 'sysctl']);
  let cni = false;
  for (const id of plan.models) {
    const m = findModel(id)!;
    const attach = attachKind(m.attach);
    if (attach.cniPlugins) cni = true;
    for (const t of attach.tools) tools.add(t);
    if (policyKind(m.policy).iptables) { tools.add(plan.iptables === 'nft' ? 'iptables-nft-restore' : 'iptables-legacy-restore'); tools.add('ipset'); }
    if (m.interHost && plan.scenarios.includes('inter')) for (const t of interHostKind(m.interHost).tools) tools.add(t);
  }
  if (plan.profile) tools.add('perf');
  for (const id of plan.models) {
    for (const mode of proxyModesOf(plan, id)) for (const t of proxyTools({ mode }, plan.iptables)) tools.add(t);
  }
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
