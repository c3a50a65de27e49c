// `cnibench collect`, on either backend: validate everything, create the run (or reopen one with --resume), run it
// with a progress line, and leave it resumable on Ctrl-C. What differs between the local testbed and a cluster is
// behind the CollectBackend interface (src/collect/backend.ts); this file holds what they share.
import { resolve } from 'node:path';
import { HELP } from './help.ts';
import { DEFAULT_DATA_DIR, parseOptions } from './options.ts';
import { BACKEND_IDS, backendOf, backendOptions, loadBackend } from './backends.ts';
import { UsageError } from '../util/errors.ts';
import type { PlanInput } from '../collect/plan.ts';
import { StderrProgress } from '../collect/progress.ts';
import { loadManifest, runDirOf } from '../collect/manifest.ts';
import { type BackendId, type PreparedRun, reopenRun, statusCounts } from '../collect/backend.ts';

const PLAN_OPTIONS = ['cni', 'scenario', 'tests', 'reps', 'duration', 'iptables', 'calico-rules', 'wire', 'profile', 'profile-duration', 'profile-freq', 'profile-reps', 'profile-tests', 'launch',
  'order', 'seed', 'placement', 'idle', 'sender-nice', 'precision', 'min-rounds', 'max-rounds', 'warmup', 'no-control', 'proxy', 'services', 'target', 'sweep', 'policy-rules'] as const;

/** The plan options as parsePlan takes them. */
function planInput(values: Partial<Record<(typeof PLAN_OPTIONS)[number], string | boolean | undefined>>): PlanInput {
  const str = (k: (typeof PLAN_OPTIONS)[number]) => values[k] as string | undefined;
  return {
    cni: str('cni'), scenario: str('scenario'), tests: str('tests'), reps: str('reps'), duration: str('duration'),
    iptables: str('iptables'), calicoRules: str('calico-rules'), wire: str('wire'), profile: values.profile as boolean | undefined,
    profileDuration: str('profile-duration'), profileFreq: str('profile-freq'), profileReps: str('profile-reps'), profileTests: str('profile-tests'), launch: str('launch'),
    order: str('order'), seed: str('seed'), placement: str('placement'), idle: str('idle'), senderNice: str('sender-nice'), precision: str('precision'),
    minRounds: str('min-rounds'), maxRounds: str('max-rounds'), warmup: str('warmup'), noControl: values['no-control'] as boolean | undefined,
    proxy: str('proxy'), services: str('services'), target: str('target'), sweep: str('sweep'), policyRules: str('policy-rules'),
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
    proxy: { type: 'string' },
    services: { type: 'string' },
    target: { type: 'string' },
    sweep: { type: 'string' },
    'policy-rules': { type: 'string' },
    resume: { type: 'string' },
    'data-dir': { type: 'string' },
    ...backendOptions(),
  });
  if (values.help) { process.stdout.write(HELP.collect + '\n'); return 0; }
  const given = (o: string) => (values as Record<string, string | boolean | undefined>)[o] !== undefined;
  const dataDir = resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
  let prepared: PreparedRun;
  let backendId: BackendId;
  if (values.resume !== undefined) {
    const runDir = runDirOf(dataDir, values.resume);
    const extra = [...PLAN_OPTIONS, ...Object.keys(backendOptions())].filter(given);
    if (extra.length) {
      const onCluster = (await loadManifest(runDir).catch(() => undefined))?.backend === 'k8s';
      throw new UsageError(`--resume continues a run with its own plan${onCluster ? ', on the cluster, namespace, nodes and image it recorded' : ''}; drop ${extra.map((o) => `--${o}`).join(', ')}.`);
    }
    const recorded = (await loadManifest(runDir)).backend;
    if (values.backend !== undefined && values.backend !== recorded) throw new UsageError(`run ${values.resume} was collected on the ${recorded} backend: resume it without --backend ${values.backend}.`);
    backendId = recorded;
    prepared = await (await loadBackend(recorded)).resume(dataDir, runDir, await reopenRun(runDir));
  } else {
    const id = values.backend ?? 'local';
    if (!(BACKEND_IDS as readonly string[]).includes(id)) throw new UsageError(`unknown backend "${id}"; choose ${BACKEND_IDS.join(' or ')}.`);
    backendId = id as BackendId;
    const foreign = Object.keys(backendOptions()).filter((o) => given(o) && backendOf(o) !== backendId);
    if (foreign.length) throw new UsageError(`${foreign.map((o) => `--${o}`).join(', ')} ${foreign.length > 1 ? 'apply' : 'applies'} only with --backend ${backendOf(foreign[0]!)}.`);
    prepared = await (await loadBackend(backendId)).create(dataDir, planInput(values), values);
  }
  return execute(await loadBackend(backendId), prepared);
}

/**
 * Runs a prepared run to its end with a progress line. Ctrl-C (or SIGTERM) stops it after the backend cleaned up;
 * an internal error no code awaited does the same rather than kill the process with testbeds or pods up.
 * Exit code: 0 complete, 1 failed items, a testbed left behind, interrupted or stopped by an error (the run stays
 * resumable).
 */
async function execute(backend: Awaited<ReturnType<typeof loadBackend>>, prepared: PreparedRun): Promise<number> {
  const { runDir, manifest } = prepared;
  const controller = new AbortController();
  const progress = new StderrProgress(process.stderr, manifest.plan.durationS + backend.itemOverheadS);
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) { progress.note(`still ${backend.cleanupWords}…`); return; }
    progress.note(`${sig}: stopping after ${backend.cleanupWords}…`);
    controller.abort();
  };
  let faulted = false;
  const onFault = (err: unknown) => {
    progress.note(`internal error, stopping after ${backend.cleanupWords}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    faulted = true;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onFault);
  process.on('unhandledRejection', onFault);
  progress.note(`run ${manifest.runId} → ${runDir}`);
  for (const line of prepared.notes) progress.note(line);
  try {
    const result = await prepared.execute({ progress, signal: controller.signal });
    const summary = statusCounts(result.manifest);
    if (result.outcome === 'interrupted') {
      process.stderr.write(`${faulted ? 'stopped by an internal error (above)' : 'interrupted'} (${summary}); ${backend.cleanedWords}. Resume with: cnibench collect --resume ${result.runId}\n`);
      return 1;
    }
    const failed = result.manifest.items.filter((i) => i.status === 'failed');
    process.stderr.write(`run ${result.runId} complete: ${summary}\n`);
    for (const i of failed.slice(0, 5)) process.stderr.write(`  failed ${i.id}: ${i.reason}\n`);
    if (failed.length > 5) process.stderr.write(`  … and ${failed.length - 5} more (each item's reason is in manifest.json)\n`);
    if (failed.length) process.stderr.write(`  run the failed items again with: cnibench collect --resume ${result.runId}\n`);
    process.stderr.write(`  per-configuration stability: cnibench summary ${result.runId}\n`);
    // The measurements stand, but the machine is not as the run found it: said last, and the exit code says it too.
    const leftovers = result.leftovers ?? [];
    for (const l of leftovers) process.stderr.write(`  left behind: ${l}\n`);
    process.stdout.write(`${runDir}\n`);
    return failed.length || leftovers.length ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onFault);
    process.off('unhandledRejection', onFault);
  }
}
