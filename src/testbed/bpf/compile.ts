// Compiles a BPF C source with clang into a cached object file (.cache/bpf/<name>-<sha>.o).
import { createHash } from 'node:crypto';
import { access, constants, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../../util/exec.ts';

export interface CompiledBpf {
  /** Absolute path of the BPF ELF object. */
  objectPath: string;
  /** True when the object came from the cache and clang did not run. */
  cached: boolean;
  /** sha256 (hex) of source text + clang version + flags: the cache key. */
  sha256: string;
}

const SETUP_HINT = 'install clang: bash scripts/setup.sh';

/** Debian's multiarch include dir (holds asm/types.h, needed by the linux/*.h uapi headers under -target bpf). */
const MULTIARCH: Partial<Record<string, string>> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  ppc64: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
  riscv64: 'riscv64-linux-gnu',
};

/** Finds an executable on PATH without spawning anything; undefined when absent. */
async function which(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

interface Toolchain {
  clang: string;
  version: string;
  flags: string[];
}

let toolchain: Promise<Toolchain> | undefined;

/** clang's path, its `--version` text and the compile flags; looked up once per process. */
function getToolchain(): Promise<Toolchain> {
  toolchain ??= (async () => {
    const clang = await which('clang');
    if (!clang) throw new Error(`clang not found on PATH: ${SETUP_HINT}`);
    const version = (await run([clang, '--version'])).stdout.trim();
    const flags = ['-O2', '-g', '-Wall', '-target', 'bpf'];
    let multiarch = MULTIARCH[process.arch];
    if (!multiarch || !(await isDir(`/usr/include/${multiarch}`))) {
      const gcc = await run(['gcc', '-dumpmachine'], { reject: false }).catch(() => undefined);
      multiarch = gcc?.exitCode === 0 ? gcc.stdout.trim() : undefined;
    }
    if (multiarch && (await isDir(`/usr/include/${multiarch}`))) flags.push(`-I/usr/include/${multiarch}`);
    return { clang, version, flags };
  })();
  toolchain.catch(() => {
    toolchain = undefined; // retry next time (e.g. after the user installs clang)
  });
  return toolchain;
}

/** A macro a source is compiled with (`-D<name>`): a name, as C spells one. */
const DEFINE_RE = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Compiles `sourcePath` with `clang -O2 -g -target bpf -c` and `-D<name>` for each of `defines` (a variant of the
 * source, e.g. ENABLE_POLICY). The object is cached under `cacheDir`
 * (relative paths resolve against the current directory) keyed by sha256 of the source text, the
 * clang version and the flags; it is written to a temp file and renamed, so readers never see half an object.
 * The project's own headers the source includes (`#include "counters.h"`, beside it) are part of the key; the
 * system's uapi/libbpf headers (`#include <…>`) are not.
 */
export async function compileBpf(sourcePath: string, cacheDir = '.cache/bpf', defines: readonly string[] = []): Promise<CompiledBpf> {
  for (const d of defines) if (!DEFINE_RE.test(d)) throw new Error(`BPF define ${JSON.stringify(d)} is not a C macro name (${DEFINE_RE})`);
  const flags = [...defines].sort().map((d) => `-D${d}`);
  let source: string;
  try {
    source = await readFile(sourcePath, 'utf8');
  } catch (err) {
    throw new Error(`cannot read BPF source ${sourcePath}: ${(err as Error).message}`);
  }
  const tc = await getToolchain();
  const local = await Promise.all([...source.matchAll(/^#include "([^"]+)"/gm)].map(async (m) => {
    const header = path.join(path.dirname(sourcePath), m[1]!);
    try {
      return await readFile(header, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${header}, which ${sourcePath} includes: ${(err as Error).message}`);
    }
  }));
  const sha256 = createHash('sha256')
    .update(source)
    .update('\0')
    .update(local.join('\0'))
    .update('\0')
    .update(tc.version)
    .update('\0')
    .update([...tc.flags, ...flags].join(' '))
    .digest('hex');
  const dir = path.resolve(cacheDir);
  const objectPath = path.join(dir, `${path.basename(sourcePath, path.extname(sourcePath))}-${sha256.slice(0, 16)}.o`);
  try {
    if ((await stat(objectPath)).size > 0) return { objectPath, cached: true, sha256 };
  } catch {
    // not cached yet
  }
  await mkdir(dir, { recursive: true });
  const tmp = `${objectPath}.${process.pid}.${Date.now()}.tmp`;
  try {
    await run([tc.clang, ...tc.flags, ...flags, '-c', path.resolve(sourcePath), '-o', tmp]);
    await rename(tmp, objectPath);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`compiling ${sourcePath} failed (fix the C source, or ${SETUP_HINT} if headers are missing): ${(err as Error).message}`);
  }
  return { objectPath, cached: false, sha256 };
}
