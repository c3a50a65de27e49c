// The Kubernetes backend of `cnibench collect --backend k8s` (and of --resume of a run made there): the cluster is
// looked at before anything is created (kubectl, context, rights, nodes, CNI), then the run's pods measure the
// CNI the cluster runs.
import { type CollectBackend, type OptionValues, type PreparedRun, skippedNotes } from '../collect/backend.ts';
import type { PlanInput } from '../collect/plan.ts';
import type { RunManifest } from '../collect/manifest.ts';
import { UsageError } from '../util/errors.ts';
import { parseK8sPlan } from './plan.ts';
import { surveyCluster, type ClusterSurvey } from './survey.ts';
import { checkResumable, createK8sRun, executeK8sRun } from './run.ts';

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

function prepared(runDir: string, manifest: RunManifest, survey: ClusterSurvey): PreparedRun {
  const c = manifest.cluster!;
  return {
    runDir,
    manifest,
    notes: [
      `cluster: Kubernetes ${c.kubernetesVersion}, CNI ${c.cni} (${c.cniSource}), nodes ${c.nodes.map((n) => n.name).join(' + ')}`,
      ...skippedNotes(manifest),
    ],
    execute: (control) => executeK8sRun(runDir, manifest, survey, control),
  };
}

export const k8sBackend: CollectBackend = {
  id: 'k8s',
  async create(dataDir: string, plan: PlanInput, values: OptionValues): Promise<PreparedRun> {
    if (plan.noControl) throw new UsageError('--no-control: a cluster run has no control models to leave out (baseline and host are local reference points).');
    const draft = parseK8sPlan({
      ...plan,
      context: str(values.context), kubeconfig: str(values.kubeconfig), namespace: str(values.namespace), nodes: str(values.nodes),
      image: str(values.image), imageArch: str(values['image-arch']), profileImage: str(values['profile-image']), readyTimeout: str(values['ready-timeout']),
    });
    const survey = await surveyCluster(draft.target, undefined, { profile: Boolean(draft.plan.profile) });
    const { runDir, manifest } = await createK8sRun(dataDir, draft, survey);
    return prepared(runDir, manifest, survey);
  },
  async resume(_dataDir: string, runDir: string, manifest: RunManifest): Promise<PreparedRun> {
    if (!manifest.plan.k8s) throw new UsageError(`run ${manifest.runId} records no cluster to resume on.`);
    const survey = await surveyCluster(manifest.plan.k8s, manifest.runId, { profile: Boolean(manifest.plan.profile) });
    checkResumable(manifest, survey);
    return prepared(runDir, manifest, survey);
  },
  cleanupWords: "removing the run's pods from the cluster",
  cleanedWords: "the run's pods are removed from the cluster",
  itemOverheadS: 1,
};
