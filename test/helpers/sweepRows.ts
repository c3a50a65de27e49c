// Synthetic rows of a policy-rules sweep for the chart tests (Fig. 10).
import type { PolicyScaleRow } from '../../src/analysis/policyScale.ts';

/** A synthetic policy sweep: three models, three sizes, two tests, and a control without a size. */
export function policySweepRows(): PolicyScaleRow[] {
  const row = (model: string, label: string, test: 'tcp_rr' | 'tcp_crr', policyRules?: number): PolicyScaleRow => ({
    run: 'r', model, label, scenario: 'intra', test, metric: 'transaction_rate', unit: 'transactions/s', n: 5, mean: 9000 - (policyRules ?? 0) / 2, sd: 100,
    ci95Low: 8800 - (policyRules ?? 0) / 2, ci95High: 9200 - (policyRules ?? 0) / 2, median: 9000, q1: 8900, q3: 9100, min: 8700, max: 9300, ...(policyRules === undefined ? {} : { policyRules }),
  });
  return [
    ...[['calico-wp', 'Calico-wp'], ['weave', 'Weave'], ['kube-router', 'Kube-router']].flatMap(([m, l]) => [10, 1000, 10000].flatMap((n) => (['tcp_rr', 'tcp_crr'] as const).map((t) => row(m!, l!, t, n)))),
    row('baseline', 'Baseline', 'tcp_crr'),
  ];
}
