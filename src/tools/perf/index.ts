// Entry point of the perf tool module: perf script / perf stat parsers and the attribution of samples to components.
export * from './types.ts';
export * from './script.ts';
export * from './components.ts';
export * from './attribute.ts';
export * from './stat.ts';
export * from './folded.ts';
