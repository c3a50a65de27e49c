// `cnibench collect --backend k8s` (and --resume of a k8s run): look at the cluster, create the run, run it with a
// progress line, clean up on Ctrl-C and leave the run resumable.
import { StderrProgress } from '../collect/progress.ts';
import { createK8sRun, checkResumable, executeK8sRun } from '../collect/runK8s.ts';
import { resumeRun } from '../collect/runLocal.ts';
import { UsageError } from '../util/errors.ts';
import { profileTestsOf } from '../collect/plan.ts';
import { PLAN_OPTIONS, planInput } from '../cli/collect.ts';
import { K8S_OPTIONS, parseK8sPlan } from './plan.ts';
import { surveyCluster } from './survey.ts';

/** The options of `cnibench collect` as parsed (names as on the command line). */
export interface CollectValues {
  cni?: string; scenario?: string; tests?: string; reps?: string; duration?: string; iptables?: string; 'calico-rules'?: string; wire?: string;
  profile?: boolean; 'profile-duration'?: string; 'profile-freq'?: string; 'profile-reps'?: string; 'profile-tests'?: string; launch?: string;
  order?: string; seed?: string; placement?: string; idle?: string; 'sender-nice'?: string; precision?: string; 'min-rounds'?: string; 'max-rounds'?: string; warmup?: string; 'no-control'?: boolean;
  context?: string; kubeconfig?: string; namespace?: string; nodes?: string; image?: string; 'profile-image'?: string; 'ready-timeout'?: string;
  resume?: string;
}



export async function runK8sCollect(values: CollectValues, dataDir: string, o: { pollMs?: number } = {}): Promise<number> {
  let prepared: Awaited<ReturnType<typeof createK8sRun>>;
  let survey: Awaited<ReturnType<typeof surveyCluster>>;
  if (values.resume !== undefined) {
    const given = [...PLAN_OPTIONS, ...K8S_OPTIONS].filter((k) => values[k] !== undefined);
    if (given.length) throw new UsageError(`--resume continues a run with its own plan, on the cluster, namespace, nodes and image it recorded; drop ${given.map((k) => `--${k}`).join(', ')}.`);
    prepared = await resumeRun(dataDir, values.resume);
    const m = prepared.manifest;
    if (m.backend !== 'k8s' || !m.plan.k8s) throw new UsageError(`run ${m.runId} was collected on the ${m.backend} backend: resume it without --backend k8s.`);
    survey = await surveyCluster(m.plan.k8s, m.runId, { profile: Boolean(m.plan.profile) });
    checkResumable(m, survey);
  } else {
    if (values['no-control']) throw new UsageError('--no-control: a cluster run has no control models to leave out (baseline and host are local reference points).');
    const draft = parseK8sPlan({
      ...planInput(values),
      context: values.context, kubeconfig: values.kubeconfig, namespace: values.namespace, nodes: values.nodes,
      image: values.image, profileImage: values['profile-image'], readyTimeout: values['ready-timeout'],
    });
    survey = await surveyCluster(draft.target, undefined, { profile: Boolean(draft.plan.profile) });
    prepared = await createK8sRun(dataDir, draft, survey);
  }
  const { runDir, manifest } = prepared;
  const c = manifest.cluster!;
  const controller = new AbortController();
  const progress = new StderrProgress(process.stderr, manifest.plan.durationS + 1);
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) { progress.note('still removing the run\'s pods from the cluster…'); return; }
    progress.note(`${sig}: stopping after removing the run's pods from the cluster…`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  progress.note(`run ${manifest.runId} → ${runDir}`);
  progress.note(`cluster: Kubernetes ${c.kubernetesVersion}, CNI ${c.cni} (${c.cniSource}), nodes ${c.nodes.map((n) => n.name).join(' + ')}`);
  for (const item of manifest.items.filter((i) => i.status === 'skipped' && i.rep === 1 && i.kind !== 'launch' && i.test === (i.kind === 'profile' && manifest.plan.profile ? profileTestsOf(manifest.plan.profile)[0] : manifest.plan.tests[0]))) {
    progress.note(`  skipped ${item.model} ${item.scenario}: ${item.reason}`);
  }
  try {
    const result = await executeK8sRun(runDir, manifest, survey, { progress, signal: controller.signal, ...(o.pollMs ? { pollMs: o.pollMs } : {}) });
    const count = (s: string) => result.manifest.items.filter((i) => i.status === s).length;
    const summary = `ok ${count('ok')}, failed ${count('failed')}, skipped ${count('skipped')}, pending ${count('pending')}`;
    if (result.outcome === 'interrupted') {
      process.stderr.write(`interrupted (${summary}); the run's pods are removed from the cluster. Resume with: cnibench collect --resume ${result.runId}\n`);
      return 130;
    }
    process.stderr.write(`run ${result.runId} complete: ${summary}\n`);
    process.stdout.write(`${runDir}\n`);
    return count('failed') > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
