// The run manifest (data/runs/<id>/manifest.json): the plan, the host, the tools, every item's status and the
// sha256 of every raw file. Rewritten atomically after each item, so an interrupted run can be resumed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic, writeFileAtomic, type WrittenFile } from '../util/atomic.ts';
import { UsageError } from '../util/errors.ts';
import type { Backend, CollectPlan, PlanItem } from './plan.ts';
import type { ClusterFacts } from './clusterRecord.ts';
import type { HostFacts, ToolVersions } from './hostFacts.ts';
import { CURRENT_VERSION, checkManifest, manifestVersion, migrateManifest } from './manifestSchema.ts';

export const MANIFEST_SCHEMA = 'cnibench.run/1';

export type ItemStatus = 'pending' | 'ok' | 'failed' | 'skipped';

export interface ItemRecord extends PlanItem {
  status: ItemStatus;
  /** Why the item failed or was skipped. */
  reason?: string;
  /** Raw files of this item, relative to the run folder. */
  files: string[];
  startedAt?: string;
  finishedAt?: string;
  /** Testbed (namespace prefix) the item ran on. */
  testbed?: string;
  /** Whether the datapath check passed. */
  datapath?: boolean;
  /** Headline number for progress displays; analysis re-reads the raw file. */
  headline?: { value: number; units: string };
  /** Profile items: the event actually sampled and counted, and whether cycles are estimated from it. */
  profile?: { event: string; estimatedCycles: boolean; freqHz: number; durationS: number };
  /** Machine conditions that could have moved this item's number (raw detail in its .conditions.json). */
  flags?: string[];
}

/** A discarded warm-up run: one per configuration and testbed bring-up, before the first measured item. */
/** A wait for the machine to go quiet after testbeds were removed, before the next item (src/tools/proc/quiet.ts). */
export interface SettleRecord {
  /** The testbeds (prefixes) just removed. */
  after: string[];
  startedAt: string;
  ms: number;
  /** Whether the machine went quiet before the limit (false: the next item started anyway). */
  quiet: boolean;
}

export interface WarmupRecord {
  /** The configuration (schedule.ts configKey) it warmed up. */
  config: string;
  testbed: string;
  startedAt: string;
  /** Its raw netperf output, kept like any other. */
  file?: string;
  headline?: { value: number; units: string };
  /** Why it gave no number, when it did not. */
  failure?: string;
}

/**
 * Why a configuration of an adaptive run stopped taking rounds: its CI reached the precision, it reached the most
 * rounds, its last min-rounds items all failed, or (a control) nothing it is the control of runs any more.
 */
export interface StopRecord {
  /** The last round it ran. */
  round: number;
  reason: 'precision' | 'max-rounds' | 'failing' | 'control';
  /** Relative half-width of the 95% CI of its mean at that point (NaN with fewer than two values). */
  halfWidth: number;
  n: number;
}

/** Conditions of the machine that hold for the whole run (per-item conditions sit beside each item's raw output). */
export interface MachineFacts {
  /** CPUs online when the run started. */
  cpus: number[];
  cpuidle: { driver: string; governor: string; states: { name: string; latencyUs: number; disabled: boolean }[] };
  /** How idle was held: the PM QoS file at 0 µs for "awake", nothing for "default". */
  idleControl: string;
}

export interface RunManifest {
  schema: typeof MANIFEST_SCHEMA;
  runId: string;
  createdAt: string;
  updatedAt: string;
  status: 'running' | 'complete' | 'interrupted' | 'failed';
  backend: Backend;
  plan: CollectPlan;
  /** The machine cnibench ran on (local: also the testbed's kernel; k8s: the machine that drove kubectl). */
  host: HostFacts;
  /** Kubernetes backend: the cluster's version, CNI and nodes. */
  cluster?: ClusterFacts;
  tools: ToolVersions;
  /** What each model emulates or substitutes (from its description), shown with its results. */
  emulation: Record<string, string[]>;
  items: ItemRecord[];
  files: Record<string, WrittenFile>;
  /** Every time the run was started or resumed. */
  sessions: { startedAt: string; endedAt?: string; outcome?: string }[];
  /** CPUs and idle states (absent in runs made before conditions were recorded). */
  machine?: MachineFacts;
  /** Warm-up runs discarded before measuring (absent in older runs: none were made). */
  warmups?: WarmupRecord[];
  /** Per configuration: when and why it stopped taking rounds. */
  stops?: Record<string, StopRecord>;
  /** Waits for the machine to go quiet after testbeds were removed mid-run (absent in older runs: none were made). */
  settles?: SettleRecord[];
}

/** A run named by id (under DATA/runs) or by its folder (anything with a slash). */
export function runDirOf(dataDir: string, runIdOrDir: string): string {
  return runIdOrDir.includes('/') ? runIdOrDir : join(dataDir, 'runs', runIdOrDir);
}

function manifestPath(runDir: string): string {
  return join(runDir, 'manifest.json');
}

export async function saveManifest(runDir: string, m: RunManifest): Promise<void> {
  m.updatedAt = new Date().toISOString();
  await writeJsonAtomic(manifestPath(runDir), m);
}

/** Reads a run's manifest; anything that is not one of ours is refused with what to do. */
export async function loadManifest(runDir: string): Promise<RunManifest> {
  let text: string;
  try {
    text = await readFile(manifestPath(runDir), 'utf8');
  } catch {
    throw new UsageError(`${runDir} has no readable manifest.json: pass a run id from data/runs/ (ls data/runs).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${manifestPath(runDir)} is not valid JSON: it was not written by cnibench or was edited by hand.`);
  }
  const version = manifestVersion(json);
  if (version === undefined) throw new UsageError(`${manifestPath(runDir)} is not a cnibench run manifest (schema ${MANIFEST_SCHEMA}).`);
  if (version > CURRENT_VERSION) {
    throw new UsageError(`${manifestPath(runDir)} was written by a newer cnibench (schema cnibench.run/${version}; this one reads up to ${MANIFEST_SCHEMA}): update this checkout (git pull && bash scripts/setup.sh).`);
  }
  const checked = checkManifest(migrateManifest(json, version));
  if ('problem' in checked) {
    throw new UsageError(`${manifestPath(runDir)} does not match the manifest schema at ${checked.problem}. It was edited by hand or cut short; restore it from version control, or collect the run again.`);
  }
  return checked.manifest;
}

/** Writes one raw file of the run atomically and records its checksum. */
export async function writeRaw(runDir: string, m: RunManifest, relPath: string, data: string | Buffer): Promise<string> {
  m.files[relPath] = await writeFileAtomic(join(runDir, relPath), data);
  return relPath;
}

export type RunSession = RunManifest['sessions'][number];

/** Marks the run as running and records a new session (a start or a resume) in its manifest. */
export async function beginSession(runDir: string, m: RunManifest): Promise<RunSession> {
  m.status = 'running';
  const session: RunSession = { startedAt: new Date().toISOString() };
  m.sessions.push(session);
  await saveManifest(runDir, m);
  return session;
}
