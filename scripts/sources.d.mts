// Types of scripts/sources.mjs for the TypeScript sources that import it.
export function newestSource(root: string): { file: string; mtimeMs: number; count: number };
