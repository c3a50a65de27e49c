// Entry point of the netperf tool module: its types, command lines and output parsers.
export * from './types.ts';
export * from './command.ts';
export * from './parse.ts';
