// Starts the attribution worker from the TypeScript sources (development, tests, notebooks): registers tsx in this
// worker thread, then loads the worker. The compiled CLI runs dist/attributeWorker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./attributeWorker.ts');
