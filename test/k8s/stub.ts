// The kubectl stand-in (test/fixtures/k8s/kubectl) for tests: a fresh state folder per test with its scenario, the
// stand-in first on PATH, and what it recorded (every call, and the objects "in the cluster").
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

export const STUB_BIN_DIR = join(ROOT, 'test', 'fixtures', 'k8s');

export interface StubConfig {
  contexts?: string[];
  currentContext?: string | null;
  unreachable?: boolean;
  forbid?: string[];
  nodes?: string;
  daemonsets?: string;
  namespaceExists?: boolean;
  namespaceLabels?: Record<string, string>;
  pods?: 'ready' | 'pending' | 'crashloop' | 'imagepull';
  podsByRole?: Record<string, 'ready' | 'pending' | 'crashloop' | 'imagepull'>;
  netperf?: 'ok' | 'missing' | 'fail';
  hangNetperf?: boolean;
  netperfDelayMs?: number;
  perfSleepMs?: number;
  perf?: 'image' | 'node' | 'none';
  daemonset?: 'ok' | 'forbidden';
}

export interface Call {
  argv: string[];
  stdin?: string;
  pid: number;
  t: number;
}

export interface StubObjects {
  namespaces: Record<string, { metadata: { name: string; labels?: Record<string, string> } }>;
  pods: Record<string, { metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { nodeName?: string } }>;
  daemonsets: Record<string, unknown>;
}

export class KubectlStub {
  private constructor(readonly dir: string, readonly dataDir: string) {}

  static async create(config: StubConfig = {}): Promise<KubectlStub> {
    const dir = await mkdtemp(join(tmpdir(), 'cnibench-kubectl-'));
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    const dataDir = join(dir, 'data');
    await mkdir(dataDir);
    return new KubectlStub(dir, dataDir);
  }

  async configure(config: StubConfig): Promise<void> {
    await writeFile(join(this.dir, 'config.json'), JSON.stringify(config));
  }

  /** Environment of a process that should find the stand-in as kubectl. */
  env(): Record<string, string> {
    return { PATH: `${STUB_BIN_DIR}${delimiter}${process.env.PATH ?? ''}`, KUBECTL_STUB_DIR: this.dir };
  }

  /** Makes this process find the stand-in (in-process runs); returns the undo. */
  install(): () => void {
    const saved = { PATH: process.env.PATH, KUBECTL_STUB_DIR: process.env.KUBECTL_STUB_DIR };
    Object.assign(process.env, this.env());
    return () => {
      process.env.PATH = saved.PATH;
      if (saved.KUBECTL_STUB_DIR === undefined) delete process.env.KUBECTL_STUB_DIR;
      else process.env.KUBECTL_STUB_DIR = saved.KUBECTL_STUB_DIR;
    };
  }

  async calls(): Promise<Call[]> {
    const text = await readFile(join(this.dir, 'calls.jsonl'), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Call);
  }

  /** The calls without global flags, as "verb resource …" strings, in order. */
  async commands(): Promise<string[]> {
    return (await this.calls()).map((c) => stripGlobal(c.argv).join(' '));
  }

  async objects(): Promise<StubObjects> {
    const text = await readFile(join(this.dir, 'state.json'), 'utf8').catch(() => '');
    return text ? (JSON.parse(text) as StubObjects) : { namespaces: {}, pods: {}, daemonsets: {} };
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export function stripGlobal(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--context' || argv[i] === '--kubeconfig') { i++; continue; }
    if (argv[i]!.startsWith('--request-timeout')) continue;
    out.push(argv[i]!);
  }
  return out;
}
