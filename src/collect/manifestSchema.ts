// The run manifest's schema, checked every time a manifest is read: a manifest edited by hand, cut short or written by
// something else is refused with the field that is wrong and what was expected there, instead of failing later in
// some analysis with "cannot read properties of undefined". Fields are kept as they are (passthrough), so a manifest
// written by a newer cnibench with fields this one does not know survives a --resume.
//
// Version: `schema` is "cnibench.run/1" in every run so far. Fields added since the first runs are optional, and
// older runs without them load as they are (their absence is read as the old behaviour, e.g. no `schedule` = model
// by model); a change that cannot be read that way gets a new version and a step in MIGRATIONS.
import { z } from 'zod';
import { NETPERF_TESTS } from '../tools/netperf/types.ts';
import { SCENARIOS } from '../testbed/model.ts';
import { TARGETS, WIRES } from '../testbed/topology.ts';
import { SERVICE_PROXIES } from '../testbed/services/types.ts';
import { PLACEMENTS, PLACEMENT_CHOICES } from './placement.ts';
import { IDLE_MODES } from './idle.ts';
import { ORDERS } from './schedule.ts';
import type { RunManifest } from './manifest.ts';
import { describeIssue } from '../util/jsonSchema.ts';

const nonEmpty = z.string().min(1);
const count = z.number().int().nonnegative();
const positive = z.number().positive();
const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'an ISO 8601 UTC time (2026-11-30T20:32:51.301Z)');

const k8sTarget = z.object({
  context: z.string().optional(),
  kubeconfig: z.string().optional(),
  namespace: nonEmpty,
  nodes: z.array(nonEmpty).optional(),
  image: z.string(),
  profileImage: z.string().optional(),
  readyTimeoutS: positive.optional(),
  cniOverride: z.string().optional(),
}).passthrough();

const plan = z.object({
  backend: z.enum(['local', 'k8s']),
  models: z.array(nonEmpty).min(1),
  scenarios: z.array(z.enum(SCENARIOS)),
  tests: z.array(z.enum(NETPERF_TESTS)),
  reps: count,
  durationS: positive,
  schedule: z.object({
    order: z.enum(ORDERS),
    seed: z.number().int(),
    warmupS: z.number().nonnegative(),
    controls: z.array(nonEmpty),
    stopping: z.object({ precision: positive, minRounds: count }).passthrough().optional(),
  }).passthrough().optional(),
  placement: z.enum(PLACEMENT_CHOICES).optional(),
  idle: z.enum(IDLE_MODES).optional(),
  senderNice: z.number().int().min(0).max(19).optional(),
  iptables: z.enum(['legacy', 'nft']),
  calicoRules: count,
  wire: z.enum(WIRES).optional(),
  profile: z.object({ durationS: positive, reps: count.optional(), freqHz: positive, tests: z.array(z.enum(NETPERF_TESTS)).optional() }).passthrough().optional(),
  launch: z.object({ count }).passthrough().optional(),
  k8s: k8sTarget.optional(),
  proxy: z.object({ mode: z.enum(['iptables', 'nftables', 'ebpf', 'default']), modes: z.array(z.enum(SERVICE_PROXIES)).optional(), services: count, sweep: z.array(count).optional() }).passthrough().optional(),
  target: z.enum(TARGETS).optional(),
  policyRules: z.object({ rules: count, sweep: z.array(count).optional() }).passthrough().optional(),
}).passthrough();

const headline = z.object({ value: z.number(), units: z.string() }).passthrough();

const item = z.object({
  id: nonEmpty,
  kind: z.enum(['netperf', 'profile', 'launch']),
  model: nonEmpty,
  scenario: z.enum(SCENARIOS),
  test: z.enum(NETPERF_TESTS),
  rep: z.number().int().positive(),
  placement: z.enum(PLACEMENTS).optional(),
  target: z.enum(TARGETS).optional(),
  services: z.number().int().nonnegative().optional(),
  policyRules: z.number().int().nonnegative().optional(),
  proxy: z.enum(SERVICE_PROXIES).optional(),
  status: z.enum(['pending', 'ok', 'failed', 'skipped']),
  reason: z.string().optional(),
  files: z.array(nonEmpty),
  startedAt: isoTime.optional(),
  finishedAt: isoTime.optional(),
  testbed: z.string().optional(),
  datapath: z.boolean().optional(),
  headline: headline.optional(),
  profile: z.object({ event: nonEmpty, estimatedCycles: z.boolean(), freqHz: positive, durationS: positive }).passthrough().optional(),
  flags: z.array(z.string()).optional(),
}).passthrough();

const nodeFacts = z.object({
  name: nonEmpty, kernel: z.string(), osImage: z.string(), kubelet: z.string(), runtime: z.string(),
  role: z.enum(['A', 'B']).optional(), architecture: z.string().optional(), cpuModel: z.string().optional(), cpuMHz: z.number().optional(), cores: z.number().optional(),
}).passthrough();

const manifest = z.object({
  schema: z.literal('cnibench.run/1'),
  runId: nonEmpty,
  createdAt: isoTime,
  updatedAt: isoTime,
  status: z.enum(['running', 'complete', 'interrupted', 'failed']),
  backend: z.enum(['local', 'k8s']),
  plan,
  host: z.object({
    kernel: z.string(), os: z.string(), cpuModel: z.string(), cpuMHz: z.number().nonnegative(), cores: count, memoryGiB: z.number().nonnegative(), virtualized: z.boolean(),
  }).passthrough(),
  cluster: z.object({
    kubernetesVersion: z.string(),
    cni: nonEmpty,
    cniSource: z.enum(['detected', 'override']),
    nodes: z.array(nodeFacts),
    cniEvidence: z.array(z.string()).optional(),
    cniDetected: z.string().optional(),
    kubectlVersion: z.string().optional(),
    warnings: z.array(z.string()).optional(),
    image: z.object({ name: z.string(), imageId: z.string().optional(), netperfVersion: z.string().optional() }).passthrough().optional(),
  }).passthrough().optional(),
  tools: z.record(z.string()),
  emulation: z.record(z.array(z.string())),
  items: z.array(item),
  files: z.record(z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex'), bytes: count }).passthrough()),
  sessions: z.array(z.object({ startedAt: isoTime, endedAt: isoTime.optional(), outcome: z.string().optional() }).passthrough()),
  machine: z.object({
    cpus: z.array(count),
    cpuidle: z.object({ driver: z.string(), governor: z.string(), states: z.array(z.object({ name: z.string(), latencyUs: z.number(), disabled: z.boolean() }).passthrough()) }).passthrough(),
    idleControl: z.string(),
  }).passthrough().optional(),
  warmups: z.array(z.object({
    config: nonEmpty, testbed: z.string(), startedAt: isoTime, file: z.string().optional(), headline: headline.optional(), failure: z.string().optional(),
  }).passthrough()).optional(),
  settles: z.array(z.object({ after: z.array(z.string()), startedAt: isoTime, ms: z.number().nonnegative(), quiet: z.boolean() }).passthrough()).optional(),
  stops: z.record(z.object({
    round: count,
    reason: z.enum(['precision', 'max-rounds', 'failing', 'control']),
    // JSON has no NaN: a half-width that was NaN (fewer than two values) is written as null.
    halfWidth: z.number().nullable().transform((x) => x ?? NaN),
    n: count,
  }).passthrough()).optional(),
}).passthrough();

/** Keeps the schema in step with RunManifest: a field the schema types differently from the interface does not compile. */
const fitsRunManifest = (m: z.infer<typeof manifest>): RunManifest => m;
void fitsRunManifest;

/** The version a manifest's `schema` field names ("cnibench.run/1" → 1), or undefined when it is no run manifest. */
export function manifestVersion(json: unknown): number | undefined {
  const schema = (json as { schema?: unknown } | null)?.schema;
  const m = typeof schema === 'string' ? /^cnibench\.run\/([1-9]\d*)$/.exec(schema) : null;
  return m ? Number(m[1]) : undefined;
}

/** The version this cnibench writes and reads. */
export const CURRENT_VERSION = 1;

/**
 * Migrations of older manifests, each from version n to n + 1, applied in turn as a manifest is read (the file on disk
 * is left as it was: its checksums and history stay the collector's). Version 1 is the only one so far; a change
 * that older runs cannot be read under as they are adds `MIGRATIONS[1] = (m) => …` and bumps CURRENT_VERSION.
 */
const MIGRATIONS: Readonly<Record<number, (manifest: Record<string, unknown>) => Record<string, unknown>>> = {};

/** A manifest of `version`, brought up to `to` (CURRENT_VERSION) one step at a time. */
export function migrateManifest(json: unknown, version: number, { to = CURRENT_VERSION, migrations = MIGRATIONS } = {}): unknown {
  let m = json as Record<string, unknown>;
  for (let v = version; v < to; v++) {
    const step = migrations[v];
    if (!step) throw new Error(`no migration of run manifests from version ${v} to ${v + 1}`);
    m = { ...step(m), schema: `cnibench.run/${v + 1}` };
  }
  return m;
}

/** A parsed manifest.json checked against the schema, or what is wrong with its first bad field. */
export function checkManifest(json: unknown): { manifest: RunManifest } | { problem: string } {
  const r = manifest.safeParse(json);
  if (r.success) return { manifest: r.data };
  return { problem: describeIssue(r.error.issues[0]!, json) };
}
