// docs/adding-a-model.md, followed: a new inter-host kind added to a scratch copy of the sources is refused by the
// compiler until its module is registered, and accepted after; the registered module is then what the code uses.
// Also: every kind of every registry is used by some model, and the registries agree with the unions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ATTACH_KINDS } from '../src/testbed/kinds/attach/index.ts';
import { INTER_HOST_KINDS, interHostKind } from '../src/testbed/kinds/interHost/index.ts';
import { POLICY_KINDS } from '../src/testbed/kinds/policy/index.ts';
import type { ProbeKit } from '../src/testbed/kinds/probeKit.ts';
import { MODELS } from '../src/testbed/models/index.ts';
import { CNI_CATALOG, modelsOf, tableIRows } from '../src/catalog/cnis.ts';

const ROOT = join(import.meta.dirname, '..');

async function edit(path: string, from: string, to: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  assert.ok(text.includes(from), `${path} still has "${from}" (the guide's step no longer matches the code)`);
  await writeFile(path, text.replace(from, to));
}

const EXAMPLE = `// An example inter-host kind, as docs/adding-a-model.md describes one.
import { ipBatch } from '../../build/context.ts';
import type { InterHostKind } from './kind.ts';

export const exampleTunnel: InterHostKind<'example-tunnel'> = {
  kind: 'example-tunnel',
  features: ['vxlan'],
  tools: [],
  encapsulation: 'vxlan',
  forwardsFromBridge: true,
  async build(_ctx, node, peer, { device }) {
    await ipBatch(node.ns, [\`route add \${peer.podCidr} dev \${device}\`]);
  },
  probes({ device }, kit) {
    kit.link('node-a:tunnel:tx', \`node-a sent through \${device}\`, 'node-a', device, 'tx_packets');
  },
  route: ({ device }, remote) => \`route \${remote} dev \${device}\`,
  rows: ({ device }) => [{ id: 'tunnel', kind: 'vxlan', span: true, title: device, details: ['example'] }],
  words: ({ device }) => \`example tunnel \${device}\`,
};
`;

test('adding an inter-host kind as docs/adding-a-model.md says: a compile error until registered, then used', { timeout: 240_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cnibench-kind-'));
  try {
    await cp(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
    await cp(join(ROOT, 'package.json'), join(dir, 'package.json'));
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const tsconfig = JSON.parse(await readFile(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: object };
    // Everything the registry reaches, from the registry itself: the part of the code a kind plugs into.
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: tsconfig.compilerOptions, files: ['src/testbed/kinds/interHost/index.ts', 'src/testbed/verify.ts', 'src/charts/datapathRows.ts'] }));
    const tsc = () => execa(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', dir], { reject: false, cwd: dir });

    // 1. Name it.
    await edit(join(dir, 'src/testbed/model.ts'), "  | { kind: 'wire' };", "  | { kind: 'wire' }\n  | { kind: 'example-tunnel'; device: string };");
    const refused = await tsc();
    assert.notEqual(refused.exitCode, 0, 'a kind without its module does not compile');
    assert.match(refused.stdout, /src\/testbed\/kinds\/interHost\/index\.ts\(\d+,\d+\): error[\s\S]*example-tunnel/, `the error points at the registry: ${refused.stdout}`);

    // 2. Write its module; 3. register it.
    await writeFile(join(dir, 'src/testbed/kinds/interHost/exampleTunnel.ts'), EXAMPLE);
    await edit(join(dir, 'src/testbed/kinds/interHost/index.ts'), "import { wire } from './wire.ts';", "import { wire } from './wire.ts';\nimport { exampleTunnel } from './exampleTunnel.ts';");
    await edit(join(dir, 'src/testbed/kinds/interHost/index.ts'), '  wire,\n}', "  wire,\n  'example-tunnel': exampleTunnel,\n}");
    const accepted = await tsc();
    assert.equal(accepted.exitCode, 0, `registered, it compiles: ${accepted.stdout}`);

    // The code reaches it through the registry: its words, its route and its evidence.
    const probe = `const { interHostKind } = await import(${JSON.stringify(join(dir, 'src/testbed/kinds/interHost/index.ts'))});
      const spec = { kind: 'example-tunnel', device: 'ex0' };
      const k = interHostKind(spec);
      const probes = [];
      k.probes(spec, { link: (id) => probes.push(id), forwarding: () => {}, bpf: () => {} });
      console.log(JSON.stringify({ words: k.words(spec, {}), route: k.route(spec, '10.244.1.0/24', '192.168.254.2'), probes }));`;
    const r = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: dir });
    assert.deepEqual(JSON.parse(r.stdout), { words: 'example tunnel ex0', route: 'route 10.244.1.0/24 dev ex0', probes: ['node-a:tunnel:tx'] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every registered kind is used by a model, and every model\'s kinds are registered', () => {
  const used = (pick: (m: (typeof MODELS)[number]) => string | undefined) => new Set(MODELS.map(pick).filter((x): x is string => x !== undefined));
  assert.deepEqual([...used((m) => m.attach.kind)].sort(), Object.keys(ATTACH_KINDS).sort());
  assert.deepEqual([...used((m) => m.interHost?.kind)].sort(), Object.keys(INTER_HOST_KINDS).sort());
  assert.deepEqual([...used((m) => m.policy.kind)].sort(), Object.keys(POLICY_KINDS).sort());
});

test('every tunnel kind names a counter on each node that only its path moves', () => {
  for (const m of MODELS) {
    const ih = m.interHost;
    if (!ih || !m.scenarios.includes('inter')) continue;
    const k = interHostKind(ih);
    const named: string[] = [];
    const kit: ProbeKit = { link: (id) => named.push(id), forwarding: (node, expect) => named.push(`${node}:forward:${expect}`), bpf: (id) => named.push(id), chains: (id) => named.push(id) };
    k.probes(ih, kit);
    if (k.encapsulation !== 'none') assert.ok(named.some((id) => id.startsWith('node-a:')), `${m.id}: ${ih.kind} checks node-a (${named})`);
    if (ih.kind !== 'wire') assert.ok(named.length > 0, `${m.id}: ${ih.kind} names at least one counter`);
  }
});

test('Table I\'s model columns come from the model descriptions: each CNI model listed once, under its CNI, with the policy it installs', () => {
  const rows = tableIRows();
  const listed = rows.flatMap((r) => r['Models here']!.split(', ').filter(Boolean));
  const cniModels = MODELS.filter((m) => m.cni !== 'reference').map((m) => m.label);
  assert.deepEqual([...listed].sort(), [...cniModels].sort(), 'every CNI model once, no reference point');
  for (const r of rows) {
    const cni = CNI_CATALOG.find((c) => c.name === r.CNI)!;
    assert.ok(modelsOf(cni.id).every((m) => m.cni === cni.id));
  }
  // The study says Cilium enforces policy: the plain Cilium model installs none, Cilium-wp its BPF maps, and the
  // table says both rather than one for the two.
  const cilium = rows.find((r) => r.CNI === 'Cilium')!;
  assert.equal(cilium['Network policy'], 'yes');
  assert.equal(cilium['Models here'], 'Cilium, Cilium-wp');
  assert.match(cilium['Policy in the models']!, /^none installed; eBPF: ipcache identities \+ a policy map per endpoint$/);
  assert.match(rows.find((r) => r.CNI === 'Calico')!['Policy in the models']!, /Felix-like chains \+ per-workload policy/);
});
