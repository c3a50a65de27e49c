// Atomic file writes (temp file + rename) and sha256 of what was written, so a crash never leaves half a file.
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WrittenFile {
  sha256: string;
  bytes: number;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function writeFileAtomic(path: string, data: string | Buffer): Promise<WrittenFile> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return { sha256: sha256(buf), bytes: buf.length };
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<WrittenFile> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

export async function fileSha256(path: string): Promise<WrittenFile> {
  const buf = await readFile(path);
  return { sha256: sha256(buf), bytes: buf.length };
}
