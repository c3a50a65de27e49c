// `cnibench cleanup --backend k8s|local`: removes what crashed runs left behind — in a cluster, every object labelled
// app.kubernetes.io/managed-by=cnibench; locally, every cnib* testbed (as `cnibench testbed cleanup`).
import { HELP } from './help.ts';
import { parseOptions } from './options.ts';
import { UsageError } from '../util/errors.ts';
import { cleanupK8s } from '../k8s/cleanup.ts';
import { checkContext, kubectlFor } from '../k8s/survey.ts';
import { requireKubectl } from '../k8s/kubectl.ts';
import { DEFAULT_NAMESPACE, badNamespaceName } from '../k8s/labels.ts';

export async function runCleanup(args: string[]): Promise<number> {
  const { values } = parseOptions('cleanup', args, {
    backend: { type: 'string' },
    context: { type: 'string' },
    kubeconfig: { type: 'string' },
    namespace: { type: 'string' },
    run: { type: 'string' },
  });
  if (values.help) { process.stdout.write(HELP.cleanup + '\n'); return 0; }
  const backend = values.backend ?? 'local';
  if (backend === 'local') {
    const given = (['context', 'kubeconfig', 'namespace', 'run'] as const).filter((o) => values[o] !== undefined);
    if (given.length) throw new UsageError(`${given.map((o) => `--${o}`).join(', ')} ${given.length > 1 ? 'apply' : 'applies'} only with --backend k8s.`);
    return (await import('./testbed.ts')).runTestbed(['cleanup']);
  }
  if (backend !== 'k8s') throw new UsageError(`unknown backend "${backend}"; choose local or k8s.`);
  const namespace = values.namespace ?? DEFAULT_NAMESPACE;
  const bad = badNamespaceName(namespace);
  if (bad) throw new UsageError(`--namespace ${bad}.`);
  if (values.run !== undefined && !/^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$/.test(values.run)) throw new UsageError(`--run "${values.run}" is not a run id (like 20261126-104512-3fa2).`);
  const where = { ...(values.context ? { context: values.context } : {}), ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}) };
  await requireKubectl();
  await checkContext({ ...where, namespace, image: '' });
  const k = kubectlFor(where);
  const r = await cleanupK8s(k, { namespace, ...(values.run ? { runId: values.run } : {}) });
  for (const d of r.deleted) process.stdout.write(`deleted ${d}\n`);
  for (const kept of r.kept) process.stdout.write(`kept namespace ${kept}\n`);
  process.stdout.write(r.deleted.length ? `removed ${r.deleted.length} object(s) of cnibench (${r.scope})\n` : `nothing of cnibench in the cluster (${r.scope})\n`);
  return 0;
}
