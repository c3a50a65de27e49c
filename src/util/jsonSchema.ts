// Reading JSON that cnibench wrote, checked against a zod schema: a file that does not match is named with its first
// wrong field and what was expected there ("items[12].status: expected one of pending, ok, failed, skipped; got
// "done""), instead of failing later as NaN in a table or "cannot read properties of undefined".
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

/** A file that is not what cnibench wrote: which file, which field, what was expected. */
export class RawFileError extends Error {
  override name = 'RawFileError';
}

/** "items[12].status". */
function fieldPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p), '') || '(the whole file)';
}

/** What went wrong with the first bad field, in words: "items[12].status: expected one of pending, ok, failed, skipped; got "done"". */
export function describeIssue(issue: z.ZodIssue, input: unknown): string {
  const at = fieldPath(issue.path);
  const got = issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), input);
  const shown = got === undefined ? 'nothing (the field is missing)' : JSON.stringify(got).slice(0, 80);
  switch (issue.code) {
    case 'invalid_enum_value': return `${at}: expected one of ${issue.options.join(', ')}; got ${shown}`;
    case 'invalid_literal': return `${at}: expected ${JSON.stringify(issue.expected)}; got ${shown}`;
    case 'invalid_type': return `${at}: expected ${issue.expected}; got ${issue.received === 'undefined' ? 'nothing (the field is missing)' : shown}`;
    default: return `${at}: ${issue.message.toLowerCase()}; got ${shown}`;
  }
}

/** Parses and checks one JSON text; the error names `what` (usually the file's path). */
export function parseChecked<S extends z.ZodTypeAny>(schema: S, text: string, what: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RawFileError(`${what} is not valid JSON (cut short, or not written by cnibench)`);
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new RawFileError(`${what} does not match its schema at ${describeIssue(r.error.issues[0]!, json)}`);
  return r.data;
}

/** Reads and checks one JSON file. */
export async function readChecked<S extends z.ZodTypeAny>(schema: S, path: string, what = path): Promise<z.output<S>> {
  return parseChecked(schema, await readFile(path, 'utf8'), what);
}
