// The schema of a testbed state file (/run/cnibench/testbeds/<prefix>.json), checked when `testbed down` or
// `cleanup` reads one back: a state file that is not what cnibench wrote is named with the wrong field rather than
// half-undone. Tied to the Testbed interface: if the two drift apart, `fits` stops compiling.
import { z } from 'zod';
import { parseChecked } from '../util/jsonSchema.ts';
import { SCENARIOS } from './model.ts';
import { SERVICE_PROXIES } from './services/types.ts';
import { WIRES, type PodName, type Testbed } from './topology.ts';

const count = z.number().int().nonnegative();
const num = z.number();
const nodeName = z.enum(['node-a', 'node-b']);

const testbed = z.object({
  schema: z.literal('cnibench.testbed/1'),
  prefix: z.string().min(1),
  model: z.string().min(1),
  createdAt: z.string(),
  scenarios: z.array(z.enum(SCENARIOS)),
  nodes: z.array(z.object({ name: nodeName, ns: z.string().min(1), underlayIp: z.string(), podCidr: z.string(), tunnelMac: z.string() }).passthrough()),
  pods: z.array(z.object({
    name: z.custom<PodName>((v) => typeof v === 'string' && /^(a1|a2|b1|l\d+)$/.test(v), 'a pod name (a1, a2, b1 or l<n>)'),
    ns: z.string().min(1), node: nodeName, ip: z.string().optional(), hostIf: z.string().optional(), mtu: num,
  }).passthrough()),
  daemons: z.array(z.object({ name: z.string(), ns: z.string(), pid: z.number().int().positive(), argv: z.array(z.string()), stop: z.enum(['term', 'kill']) }).passthrough()),
  bpffs: z.string().optional(),
  policy: z.record(nodeName, z.object({ perPacketChains: z.array(z.string()), ruleCount: count, ipsets: count.optional(), ipsetMs: num.optional(), checkMs: num.optional(), loadMs: num.optional(), ipcacheEntries: count.optional() }).passthrough()).optional(),
  ipamDir: z.string(),
  iptables: z.enum(['legacy', 'nft']),
  calicoRules: count,
  policyRules: count.optional(),
  wire: z.enum(WIRES).optional(),
  wireOffloadsOff: z.record(nodeName, z.array(z.string())).optional(),
  steps: z.array(z.object({ step: z.string(), target: z.string(), ms: num }).passthrough()),
  emulation: z.array(z.string()),
  services: z.object({
    mode: z.enum(SERVICE_PROXIES),
    extra: count,
    ruleCount: count,
    servicePorts: count,
    endpoints: count,
    underTest: z.record(z.enum(SCENARIOS), z.object({ clusterIP: z.string(), serverIp: z.string(), controlPort: count, dataPort: count }).passthrough()),
    apply: z.record(nodeName, z.object({ checkMs: num, applyMs: num }).passthrough()),
    socketLb: z.object({ cgroup: z.string().min(1), pinDir: z.string().min(1) }).optional(),
  }).passthrough().optional(),
}).passthrough();

const fits = (x: z.infer<typeof testbed>): Testbed => x;
void fits;

export function parseTestbedState(text: string, what: string): Testbed {
  return parseChecked(testbed, text, what);
}
