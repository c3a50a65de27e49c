// Loads cnibench's notebook helpers (src/notebook/index.ts) into a tslab kernel.
//
// tslab compiles every cell to CommonJS, so a cell's `import` becomes `require`, and requiring our ESM TypeScript
// would need every dependency to be requirable (execa's are not). This file is plain CommonJS, so its `import()` is
// a real ESM import; tsx's ESM hooks, registered here unless the kernel already runs with `--import tsx`, compile
// the .ts sources on the fly. A notebook's first cell:   const nb = await require('../src/notebook/kernel.cjs').load();
'use strict';
const { inspect } = require('node:util');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

/** Shown as its message alone: tslab prints a thrown value with console.error, which would add a stack trace. */
class KernelSetupError extends Error {
  [inspect.custom]() {
    return `cnibench: ${this.message}`;
  }
}

const tsxPreloaded = () => /(^|\s)--import[= ]tsx(\/esm)?(\s|$)/.test(`${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`);
let tsxReady;

async function load() {
  if (!tsxPreloaded()) {
    tsxReady ??= import('tsx/esm').catch((err) => {
      tsxReady = undefined;
      throw new KernelSetupError(`could not load tsx, which compiles the project's TypeScript (${err.message}). Run "npm ci" in the project folder, then restart the kernel.`);
    });
    await tsxReady;
  }
  try {
    return await import(pathToFileURL(join(__dirname, 'index.ts')).href);
  } catch (err) {
    if (err && err.code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new KernelSetupError('this kernel cannot load TypeScript modules. Start Jupyter with "npm run notebooks" from the project folder, then restart the kernel.');
    }
    throw err;
  }
}

module.exports = { load, KernelSetupError };
