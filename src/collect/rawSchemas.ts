// Schemas of the JSON files a run writes beside the tools' own output — an item's conditions, a profile's link
// counters, a local pod launch — checked whenever one is read back. A file that does not match is
// named with the first wrong field and what was expected there (the same words as the manifest's schema), instead of
// surfacing later as NaN in a table. Each schema is tied to its TypeScript interface: if the two drift apart, the
// `fits` functions below stop compiling. Unknown fields pass through (a newer cnibench may add some).
import { z } from 'zod';
import type { LocalLaunchRecord } from '../launch/local.ts';
import type { LaunchPhase } from '../launch/record.ts';
import { SNMP_CONDITION_KEYS } from '../tools/proc/snmp.ts';
import { CONDITIONS_SCHEMA, type ItemConditions } from './conditions.ts';
import { IDLE_MODES } from './idle.ts';
import { parseChecked, readChecked } from '../util/jsonSchema.ts';
import { PLACEMENTS } from './placement.ts';
import type { ProfileCounters } from './profileRecord.ts';

const count = z.number().int().nonnegative();
/** A measured value. JSON has no NaN: one that could not be read (a counter a pod does not show) was written as null. */
const num = z.number().nullable().transform((x) => x ?? NaN);

const cpuTimes = z.object({ user: num, nice: num, system: num, idle: num, iowait: num, irq: num, softirq: num, steal: num }).passthrough();

const conditions = z.object({
  schema: z.literal(CONDITIONS_SCHEMA),
  placement: z.enum(PLACEMENTS),
  cpus: z.object({ client: count, server: count }).passthrough().optional(),
  idle: z.enum(IDLE_MODES),
  senderNice: z.number().int().optional(),
  wallMs: num,
  cpuTicks: z.record(cpuTimes),
  halts: z.record(num),
  contextSwitches: num.optional(),
  softnet: z.object({ processed: num, dropped: num, timeSqueeze: num }).passthrough(),
  linkDrops: z.array(z.object({ ns: z.string(), dev: z.string(), rx: num, tx: num }).passthrough()),
  snmp: z.record(z.object(Object.fromEntries(SNMP_CONDITION_KEYS.map((k) => [k, num])) as Record<(typeof SNMP_CONDITION_KEYS)[number], typeof num>).passthrough()),
  processes: z.array(z.object({
    role: z.enum(['client', 'server', 'relay']),
    pid: count,
    comm: z.string(),
    cpus: z.array(count),
    allowed: z.array(count),
    pinnedTo: count.optional(),
    nice: z.number().int().optional(),
    autogroupNice: z.number().int().optional(),
  }).passthrough()),
  speedProbeMs: z.object({ before: num, after: num }).passthrough().optional(),
}).passthrough();

const linkCounters = z.object({
  rx: num, tx: num, rxBytes: num, txBytes: num, mtu: num, rxDropped: num.optional(), txDropped: num.optional(),
}).passthrough();

const profileCounters = z.object({
  serverNs: z.string(),
  serverIf: z.string(),
  clientNs: z.string(),
  before: z.record(z.record(linkCounters)),
  after: z.record(z.record(linkCounters)),
  rxPackets: num,
  rxBytes: num,
  serverMtu: num,
  event: z.string().min(1),
  freqHz: z.number().positive().optional(),
  durationS: z.number().positive(),
  argv: z.array(z.string()),
  exitCode: z.number().int(),
  servicePath: z.object({
    via: z.enum(['conntrack', 'socket-lb']).optional(), node: z.string(), clusterIP: z.string(), serverIp: z.string(), connections: count, toServer: count, pass: z.boolean(),
  }).passthrough().optional(),
}).passthrough();

const launchPhase = z.object({ phase: z.string().min(1), startMs: num, ms: num, network: z.boolean() }).passthrough();

const localLaunch = z.object({
  schema: z.literal('cnibench.launch.local/1'),
  model: z.string().min(1),
  index: count,
  testbed: z.string(),
  node: z.enum(['node-a', 'node-b']),
  pod: z.object({ name: z.string(), ns: z.string(), ip: z.string().optional(), hostIf: z.string().optional() }).passthrough(),
  phases: z.array(launchPhase),
  totalMs: num,
  teardown: z.array(launchPhase),
  teardownMs: num,
  steps: z.array(z.object({ step: z.string(), target: z.string(), ms: num }).passthrough()),
  readiness: z.object({ argv: z.array(z.string()), attempts: count, target: z.string() }).passthrough(),
}).passthrough();

/** An item's `.datapath.json`: how long netperf ran (the rest — argv, exit code, the check — is read where it is used). */
const itemDatapath = z.object({ elapsedMs: num }).passthrough();

// Each schema's output must be assignable to the interface the code reads: drift is a compile error.
const fits = {
  conditions: (x: z.infer<typeof conditions>): ItemConditions => x,
  profileCounters: (x: z.infer<typeof profileCounters>): ProfileCounters => x,
  localLaunch: (x: z.infer<typeof localLaunch>): LocalLaunchRecord => x,
  launchPhase: (x: z.infer<typeof launchPhase>): LaunchPhase => x,
};
void fits;

export const readConditions = (path: string, what?: string): Promise<ItemConditions> => readChecked(conditions, path, what);
export const readProfileCounters = (path: string, what?: string): Promise<ProfileCounters> => readChecked(profileCounters, path, what);
export const readLocalLaunch = (path: string, what?: string): Promise<LocalLaunchRecord> => readChecked(localLaunch, path, what);
/** The same checks on text already read (`what` names it in errors). */
export const parseConditions = (text: string, what: string): ItemConditions => parseChecked(conditions, text, what);
export const parseProfileCounters = (text: string, what: string): ProfileCounters => parseChecked(profileCounters, text, what);
export const parseLocalLaunch = (text: string, what: string): LocalLaunchRecord => parseChecked(localLaunch, text, what);
export const parseItemDatapath = (text: string, what: string): { elapsedMs: number } => parseChecked(itemDatapath, text, what);
