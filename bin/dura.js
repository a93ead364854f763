#!/usr/bin/env node
// The access team's CLI. Runs the compiled code in lib/ so that start-up stays fast.
try {
  require('../lib/client/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('lib/client/main.js')) {
    console.error('dura: not built yet: run `npm run build` first');
    process.exit(1);
  }
  throw err;
}
