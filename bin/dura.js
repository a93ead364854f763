#!/usr/bin/env node
// The access team's CLI. Runs the compiled code in lib/ so that start-up stays fast: `dura --version`
// reads package.json and nothing else; `dura status <agreement> [--json]` first tries the lean path
// (client/status-fast.ts: no commander, zod or gRPC library), and only what it hands back loads the
// full CLI (client/main.ts).
function load(file) {
  try {
    return require(`../lib/client/${file}`);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(`lib/client/${file}`)) {
      console.error('dura: not built yet: run `npm run build` first');
      process.exit(1);
    }
    throw err;
  }
}

const args = process.argv.slice(2);
// `dura --version` needs nothing built: package.json says it (as commander would, in client/main.ts).
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  console.log(require('../package.json').version);
  process.exit(0);
}

load('status-fast.js')
  .statusFast(args)
  .then(
    (answered) => answered || load('main.js'),
    (err) => load('output.js').fail(err),
  );
