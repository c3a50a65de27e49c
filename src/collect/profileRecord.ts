// What a profile item leaves, on either backend: where its raw files go, the interface counters recorded around
// each profiled run, and how an item concludes once both runs (perf record, perf stat) are written.
import type { LinkCounters } from '../testbed/verify.ts';
import type { ServicePathCheck } from '../testbed/services/pathCheck.ts';
import type { ItemRecord } from './manifest.ts';
import type { ProfilePlan } from './plan.ts';
import { type SweepPoint, profileFolder, sweepSuffix } from './schedule.ts';

/** Interface counters of the receiving pod (and the sender) around a profiled run, as recorded in the raw data. */
export interface ProfileCounters {
  serverNs: string;
  serverIf: string;
  clientNs: string;
  before: Record<string, Record<string, LinkCounters>>;
  after: Record<string, Record<string, LinkCounters>>;
  /** rx_packets delta on the receiving pod's interface (GSO/GRO super-packets count once). */
  rxPackets: number;
  /** rx_bytes delta on the receiving pod's interface. */
  rxBytes: number;
  /** MTU of the receiving interface: rxBytes / (MTU + 14) is the number of wire-sized packets. */
  serverMtu: number;
  event: string;
  freqHz?: number;
  durationS: number;
  argv: string[];
  exitCode: number;
  /** A profile through a Service (collect --target service): whether the run's connections were translated by it. */
  servicePath?: ServicePathCheck;
}

/** raw/<model>/<scenario>/profile/NNN (TCP_STREAM) or …/profile-<test>[@point]/NNN: one folder per profile. */
export function profileRawDir(item: Pick<ItemRecord, 'model' | 'scenario' | 'rep' | 'test'> & SweepPoint): string {
  return `raw/${item.model}/${item.scenario}/${profileFolder(item.test)}${sweepSuffix(item)}/${String(item.rep).padStart(3, '0')}`;
}

/**
 * The end of a profile item on either backend, once both runs' raw files are written: the item records its files and
 * the event sampled; it fails if the counted run failed, a run through a Service bypassed it, or either run delivered
 * no packets to the receiving pod.
 */
export function concludeProfileItem(item: ItemRecord, r: { files: string[]; event: string; plan: ProfilePlan; countedFailure?: string; recordedPackets: number; countedPackets: number; serviceFailure?: string }): void {
  item.files = r.files;
  item.finishedAt = new Date().toISOString();
  item.profile = { event: r.event, estimatedCycles: r.event !== 'cycles', freqHz: r.plan.freqHz, durationS: r.plan.durationS };
  if (r.countedFailure) {
    Object.assign(item, { status: 'failed', reason: `counted run: ${r.countedFailure}` });
  } else if (r.serviceFailure) {
    Object.assign(item, { status: 'failed', reason: r.serviceFailure });
  } else if (!(r.recordedPackets > 0) || !(r.countedPackets > 0)) {
    Object.assign(item, { status: 'failed', reason: 'the receiving pod counted no packets during a profiled run' });
  } else {
    item.headline = { value: r.recordedPackets, units: 'packets profiled' };
    item.status = 'ok';
  }
}
