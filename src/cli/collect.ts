// `cnibench collect`: validate everything, create the run, run it, leave it resumable on Ctrl-C.
import { HELP } from './help.ts';
import { DEFAULT_DATA_DIR, parseOptions } from './options.ts';
import { UsageError } from '../util/errors.ts';
import { parsePlan, type PlanInput } from '../collect/plan.ts';
import { checkCollectPrerequisites } from '../collect/requirements.ts';
import { createRun, executeRun, resumeRun } from '../collect/runLocal.ts';
import { StderrProgress } from '../collect/progress.ts';
import { loadManifest, runDirOf, type RunManifest } from '../collect/manifest.ts';
import { K8S_OPTIONS } from '../k8s/plan.ts';
import { resolve } from 'node:path';

export const PLAN_OPTIONS = ['cni', 'scenario', 'tests', 'reps', 'duration', 'iptables', 'calico-rules', 'wire', 'profile', 'profile-duration', 'profile-freq', 'profile-reps', 'profile-tests', 'launch',
  'order', 'seed', 'placement', 'idle', 'sender-nice', 'precision', 'min-rounds', 'max-rounds', 'warmup', 'no-control'] as const;

/** The plan options as parsePlan takes them. */
export function planInput(values: Partial<Record<(typeof PLAN_OPTIONS)[number], string | boolean | undefined>>): PlanInput {
  const str = (k: (typeof PLAN_OPTIONS)[number]) => values[k] as string | undefined;
  return {
    cni: str('cni'), scenario: str('scenario'), tests: str('tests'), reps: str('reps'), duration: str('duration'),
    iptables: str('iptables'), calicoRules: str('calico-rules'), wire: str('wire'), profile: values.profile as boolean | undefined,
    profileDuration: str('profile-duration'), profileFreq: str('profile-freq'), profileReps: str('profile-reps'), profileTests: str('profile-tests'), launch: str('launch'),
    order: str('order'), seed: str('seed'), placement: str('placement'), idle: str('idle'), senderNice: str('sender-nice'), precision: str('precision'),
    minRounds: str('min-rounds'), maxRounds: str('max-rounds'), warmup: str('warmup'), noControl: values['no-control'] as boolean | undefined,
  };
}

/**
 * `--launch` may stand alone (the default count) or take a value: when the next argument is another option (or
 * there is none), give parseArgs an explicit empty value; anything else is the value, checked by parsePlan.
 */
function optionalLaunchValue(args: string[]): string[] {
  return args.map((a, i) => (a === '--launch' && (args[i + 1] ?? '-').startsWith('-') ? '--launch=' : a));
}

export async function runCollect(args: string[]): Promise<number> {
  const { values } = parseOptions('collect', optionalLaunchValue(args), {
    backend: { type: 'string' },
    cni: { type: 'string' },
    scenario: { type: 'string' },
    tests: { type: 'string' },
    reps: { type: 'string' },
    duration: { type: 'string' },
    iptables: { type: 'string' },
    'calico-rules': { type: 'string' },
    profile: { type: 'boolean' },
    'profile-duration': { type: 'string' },
    'profile-freq': { type: 'string' },
    'profile-reps': { type: 'string' },
    'profile-tests': { type: 'string' },
    wire: { type: 'string' },
    launch: { type: 'string' },
    order: { type: 'string' },
    seed: { type: 'string' },
    placement: { type: 'string' },
    idle: { type: 'string' },
    'sender-nice': { type: 'string' },
    precision: { type: 'string' },
    'min-rounds': { type: 'string' },
    'max-rounds': { type: 'string' },
    warmup: { type: 'string' },
    'no-control': { type: 'boolean' },
    resume: { type: 'string' },
    'data-dir': { type: 'string' },
    // --backend k8s
    context: { type: 'string' },
    kubeconfig: { type: 'string' },
    namespace: { type: 'string' },
    nodes: { type: 'string' },
    image: { type: 'string' },
    'profile-image': { type: 'string' },
    'ready-timeout': { type: 'string' },
  });
  if (values.help) { process.stdout.write(HELP.collect + '\n'); return 0; }
  const backend = values.backend ?? 'local';
  if (backend !== 'local' && backend !== 'k8s') throw new UsageError(`unknown backend "${backend}"; choose local or k8s.`);
  const dataDir = resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
  const resumesK8s = values.resume !== undefined && (await loadManifest(runDirOf(dataDir, values.resume)).catch(() => undefined))?.backend === 'k8s';
  if (backend === 'k8s' || resumesK8s) return (await import('../k8s/collectCommand.ts')).runK8sCollect(values, dataDir);
  const k8sOnly = K8S_OPTIONS.filter((o) => values[o] !== undefined);
  if (k8sOnly.length) throw new UsageError(`${k8sOnly.map((o) => `--${o}`).join(', ')} ${k8sOnly.length > 1 ? 'apply' : 'applies'} only with --backend k8s.`);

  let runDir: string;
  let manifest: RunManifest;
  if (values.resume !== undefined) {
    const given = PLAN_OPTIONS.filter((o) => values[o] !== undefined);
    if (given.length) throw new UsageError(`--resume continues a run with its own plan; drop ${given.map((o) => `--${o}`).join(', ')}.`);
    ({ runDir, manifest } = await resumeRun(dataDir, values.resume));
    await checkCollectPrerequisites(manifest.plan);
  } else {
    const plan = parsePlan(planInput(values));
    await checkCollectPrerequisites(plan);
    ({ runDir, manifest } = await createRun(dataDir, plan));
  }

  const controller = new AbortController();
  const progress = new StderrProgress(process.stderr, manifest.plan.durationS + 0.5);
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) { progress.note('still cleaning up the testbed…'); return; }
    progress.note(`${sig}: stopping after tearing the testbed down…`);
    controller.abort();
  };
  let faulted = false;
  // A fault outside any item (an error no code awaited) must not kill the process with testbeds up: it is reported
  // and ends the run the way Ctrl-C does, testbeds torn down and the run resumable.
  const onFault = (err: unknown) => {
    progress.note(`internal error, stopping after tearing the testbed down: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    faulted = true;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onFault);
  process.on('unhandledRejection', onFault);
  progress.note(`run ${manifest.runId} → ${runDir}`);
  try {
    const result = await executeRun(runDir, manifest, { progress, signal: controller.signal });
    const count = (s: string) => result.manifest.items.filter((i) => i.status === s).length;
    const summary = `ok ${count('ok')}, failed ${count('failed')}, skipped ${count('skipped')}, pending ${count('pending')}`;
    if (result.outcome === 'interrupted') {
      process.stderr.write(`${faulted ? 'stopped by an internal error (above)' : 'interrupted'} (${summary}); the testbed is removed. Resume with: cnibench collect --resume ${result.runId}\n`);
      return faulted ? 1 : 130;
    }
    process.stderr.write(`run ${result.runId} complete: ${summary}\n`);
    process.stderr.write(`  per-configuration stability: cnibench summary ${result.runId}\n`);
    for (const item of result.manifest.items.filter((i) => i.kind === 'netperf' && i.status === 'skipped' && i.rep === 1 && i.test === manifest.plan.tests[0])) {
      process.stderr.write(`  skipped ${item.model} ${item.scenario}: ${item.reason}\n`);
    }
    process.stdout.write(`${runDir}\n`);
    return count('failed') > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onFault);
    process.off('unhandledRejection', onFault);
  }
}
