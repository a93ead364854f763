// Replay safety: the committed histories of the lifecycle scenarios still replay against today's code.
// A failure here means a change to workflow code would break agreements already running: guard the
// change with patched() (see README, "Changing the workflow").
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from './helpers/env';
import { workflowsPath } from './helpers/agreements';

const dir = path.join(__dirname, 'histories');

describe('replay of committed histories', function () {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();

  it('has the histories of the lifecycle scenarios', () => {
    assert.ok(files.length >= 6, `only ${files.length} histories in test/histories`);
  });

  it('replays every one without nondeterminism', async () => {
    const histories = files.map((file) => ({
      workflowId: path.basename(file, '.json'),
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: await workflowBundle(workflowsPath) },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.deepEqual(failures, []);
  });
});
