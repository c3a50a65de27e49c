// Bad input to the CLI: one clear line, exit code 2, and nothing created or left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BIN, cli, isRoot } from './helpers/cli.ts';
import { checkCollectPrerequisites } from '../src/local/requirements.ts';
import { parsePlan } from '../src/collect/plan.ts';
import { PrerequisiteError } from '../src/util/errors.ts';
import { ourNamespaces } from '../src/testbed/cleanup.ts';

async function withDataDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cnibench-data-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function expectRejected(args: string[], pattern: RegExp, opts: { asUser?: string } = {}): Promise<void> {
  await withDataDir(async (dir) => {
    const nsBefore = isRoot ? await ourNamespaces() : [];
    // Only collect writes runs; the other commands must not take the option at all.
    const r = await cli(args[0] === 'collect' ? [...args, '--data-dir', dir] : args, opts);
    assert.equal(r.exitCode, 2, `exit code for ${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
    assert.match(lines[0]!, pattern);
    assert.deepEqual(await readdir(dir), [], 'nothing created in the data folder');
    if (isRoot) assert.deepEqual(await ourNamespaces(), nsBefore, 'no namespace left behind');
  });
}

test('unknown model names the valid ones', () => expectRejected(['collect', '--cni', 'flanel'], /unknown model "flanel".*choose from: .*flannel/));
test('unknown test name', () => expectRejected(['collect', '--tests', 'tcp_crrr'], /unknown test "tcp_crrr".*tcp_stream, tcp_rr, udp_rr, tcp_crr/));
test('unknown scenario', () => expectRejected(['collect', '--scenario', 'cross'], /unknown scenario "cross"/));
test('--reps 0', () => expectRejected(['collect', '--reps', '0'], /--reps must be a whole number of at least 1/));
test('--launch with a value that is not a count', () => expectRejected(['collect', '--launch', 'abc', '--cni', 'flannel'], /--launch \(pods per model\) must be a whole number of at least 1 \(got "abc"\)/));
test('--tests none with nothing else to do', () => expectRejected(['collect', '--tests', 'none'], /--tests none leaves nothing to do/));
test('negative duration', () => expectRejected(['collect', '--duration=-5'], /--duration .* at least 1 \(got "-5"\)/));
test('non-numeric duration', () => expectRejected(['collect', '--duration', 'ten'], /--duration/));
test('unknown option', () => expectRejected(['collect', '--frobnicate'], /Unknown option '--frobnicate'.*cnibench collect --help/));
test('unknown backend', () => expectRejected(['collect', '--backend', 'docker'], /unknown backend "docker"/));
test('--resume of a folder that is not a run', async () => {
  await withDataDir(async (dir) => {
    const foreign = join(dir, 'not-a-run');
    await mkdir(foreign);
    await writeFile(join(foreign, 'manifest.json'), '{"hello": "world"}');
    const r = await cli(['collect', '--resume', foreign, '--data-dir', dir]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /not a cnibench run manifest/);
    assert.deepEqual(await readdir(dir), ['not-a-run']);
  });
});
test('--resume of a run that does not exist', () => expectRejected(['collect', '--resume', 'no-such-run'], /no readable manifest\.json.*data\/runs/));
test('--resume with plan options', () => expectRejected(['collect', '--resume', 'x', '--reps', '3'], /drop --reps/));
test('unknown --placement', () => expectRejected(['collect', '--placement', 'near'], /unknown --placement "near"; choose from: same, split, both, free/));
test('unknown --profile-tests value', () => expectRejected(['collect', '--profile', '--profile-tests', 'tcp_rr,sctp_rr'], /unknown profile test "sctp_rr"; choose from: tcp_stream, tcp_rr, udp_rr, tcp_crr/));
test('unknown --wire', () => expectRejected(['collect', '--wire', 'fibre'], /unknown --wire "fibre"; choose from: veth, nic/));
test('--sender-nice out of range', () => expectRejected(['collect', '--sender-nice', '25'], /--sender-nice is the nice value netperf runs at, a whole number from 0 \(as netserver\) to 19 \(got "25"\)/));
test('--sender-nice on a cluster', () => expectRejected(['collect', '--backend', 'k8s', '--sender-nice', '5'], /--sender-nice controls the local testbed's CPUs/));
test('--wire on a cluster', () => expectRejected(['collect', '--backend', 'k8s', '--wire', 'nic'], /--wire sets the link between the local testbed's nodes/));
test('unknown --idle', () => expectRejected(['collect', '--idle', 'sleepy'], /unknown --idle mode "sleepy"; choose from: default, awake/));
test('--precision 0', () => expectRejected(['collect', '--precision', '0'], /--precision .* between 0 and 1/));
test('--precision 1', () => expectRejected(['collect', '--precision', '1'], /--precision .* between 0 and 1/));
test('--min-rounds above --max-rounds', () => expectRejected(['collect', '--precision', '0.02', '--min-rounds', '10', '--max-rounds', '5'], /--min-rounds \(10\) is above --max-rounds \(5\)/));
test('a --seed that is not a number', () => expectRejected(['collect', '--seed', 'lucky'], /--seed must be a whole number/));
test('--placement on a cluster', () => expectRejected(['collect', '--backend', 'k8s', '--placement', 'same'], /--placement controls the local testbed's CPUs/));
test('--resume with method options', () => expectRejected(['collect', '--resume', 'x', '--seed', '3'], /drop --seed/));
test('unknown command', () => expectRejected(['colect'], /unknown command "colect"/));
test('unknown --proxy', () => expectRejected(['collect', '--proxy', 'userspace'], /unknown --proxy "userspace"; choose from: none, default, iptables, nftables, ebpf, ipvs/));
test('--proxy ebpf with a CNI that runs beside kube-proxy', () => expectRejected(['collect', '--proxy', 'ebpf', '--cni', 'calico-np'], /--proxy ebpf: calico-np's CNI runs beside kube-proxy.* Leave calico-np out of --cni/));
test('--proxy ipvs is refused with why', () => expectRejected(['collect', '--proxy', 'ipvs'], /--proxy ipvs: (this kernel lacks IPVS|kube-proxy's IPVS mode is not modelled)/));
test('--services with --proxy none', () => expectRejected(['collect', '--proxy', 'none', '--services', '100'], /--services N installs Services .* drop --proxy none/));
test('--services that is not a count', () => expectRejected(['collect', '--proxy', 'iptables', '--services=-3'], /--services is how many Services .* from 0 to 100000 \(got "-3"\)/));
test('--services that is not a whole number', () => expectRejected(['collect', '--proxy', 'iptables', '--services', '1e3'], /--services is how many Services .* \(got "1e3"\)/));
test('--services above what the machine holds', () => expectRejected(['collect', '--proxy', 'nftables', '--services', '1000000'], /--services .* from 0 to 100000 \(got "1000000"\)/));
test('--target service with --proxy none', () => expectRejected(['collect', '--target', 'service', '--proxy', 'none'], /--target service .* needs a Service datapath on the nodes/));
test('unknown --target', () => expectRejected(['collect', '--target', 'node', '--proxy', 'iptables'], /unknown --target "node"; choose from: pod, service/));
test('--proxy for a model without a Service datapath', () => expectRejected(['collect', '--proxy', 'iptables', '--cni', 'flannel,cilium'], /--proxy iptables: cilium redirects pod traffic in eBPF past netfilter.* Leave cilium out of --cni/));
test('--sweep on a cluster', () => expectRejected(['collect', '--backend', 'k8s', '--sweep', 'services=1,10'], /--sweep installs kube-proxy's rules on the local testbed's nodes/));
test('--proxy on a cluster', () => expectRejected(['collect', '--backend', 'k8s', '--proxy', 'iptables'], /--proxy installs kube-proxy's rules on the local testbed's nodes/));
test('testbed up of an unknown model', () => expectRejected(['testbed', 'up', 'calico'], /unknown model "calico"/));

test('a non-root user is told to use root (check itself)', async () => {
  const realGetuid = process.getuid;
  process.getuid = () => 1000;
  try {
    await assert.rejects(checkCollectPrerequisites(parsePlan({ cni: 'baseline' })), (err: Error) => err instanceof PrerequisiteError && /needs root/.test(err.message));
  } finally {
    process.getuid = realGetuid;
  }
});

test('a non-root user is told to use root (the CLI, as user nobody)', async (t) => {
  if (!isRoot) return t.skip('needs root to switch user');
  // The clone may sit where user nobody cannot read it; then only the check above applies.
  const probe = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(BIN)})`], { reject: false });
  if (probe.exitCode !== 0) return t.skip('the project is not readable by user nobody here');
  await expectRejected(['collect', '--cni', 'baseline', '--reps', '1', '--duration', '1'], /needs root/, { asUser: '65534' });
});

test('a missing tool is named with the fix', async () => {
  await withDataDir(async (dir) => {
    // A PATH without netperf: the check must name it and point at the setup script.
    const r = await cli(['collect', '--cni', 'baseline', '--data-dir', dir], { env: { PATH: '/nonexistent' } });
    if (!isRoot) { assert.equal(r.exitCode, 2); return; }
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /missing tool.*netperf.*scripts\/setup\.sh/);
    assert.deepEqual(await readdir(dir), []);
  });
});

test('--help of every command exits 0 and prints usage', async () => {
  for (const args of [['--help'], ['collect', '--help'], ['doctor', '--help'], ['testbed', '--help'], ['models', '--help'], ['summary', '--help']]) {
    const r = await cli(args);
    assert.equal(r.exitCode, 0, args.join(' '));
    assert.match(r.stdout, /Usage: cnibench/);
  }
});
test('--policy-rules not a number', () => expectRejected(['collect', '--cni', 'weave', '--policy-rules', 'many'], /--policy-rules is how many rules to add .* \(got "many"\)/));
test('--policy-rules on a model without a policy to scale', () => expectRejected(['collect', '--cni', 'flannel', '--policy-rules', '100'], /none of the models \(flannel\) has a network policy it scales/));
test('--policy-rules on a cluster', () => expectRejected(['collect', '--backend', 'k8s', '--policy-rules', '10'], /--policy-rules configures the local testbed's emulated datapath/));
test('--proxy list with none in it', () => expectRejected(['collect', '--cni', 'flannel', '--proxy', 'iptables,none'], /--proxy iptables,none: a list compares named implementations/));
