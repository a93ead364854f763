// Replay safety: the committed histories of the lifecycle scenarios still replay against today's code.
// A failure here means a change to workflow code would break agreements already running: guard the
// change with patched() (see README, "Changing the workflow"). Histories recorded before a patch are
// kept in a subfolder named after it (e.g. before-deterministic-clock/) and replayed too.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from './helpers/env';
import { RECORDED_PATHS, workflowsPath } from './helpers/agreements';

const dir = path.join(__dirname, 'histories');

describe('replay of committed histories', function () {
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
  const current = files.filter((f) => !f.includes(path.sep));

  it('has a history of every path, and those from before each patch', () => {
    const missing = RECORDED_PATHS.filter((name) => !current.includes(`${name}.json`));
    assert.deepEqual(missing, [], 'record them: DURA_REFRESH_HISTORIES=1 npm test (README)');
    for (const patch of [
      'before-deterministic-clock',
      'before-mail-from-records',
      'before-agreement-ids',
      'before-one-first-mail',
      'before-records-with-mail',
      'before-all-of-2026-12',
      'before-all-of-2026-12-b',
    ]) {
      const kept = files.filter((f) => f.startsWith(`${patch}${path.sep}`));
      assert.ok(kept.length >= 8, `only ${kept.length} histories in ${patch}/`);
    }
    // A patch of one control: the history that took its old path.
    assert.ok(files.includes(path.join('before-pause-keeps-schedule', 'pause-resume.json')));
    // And one of a requester joining while the receipts went out: two receipts, before one-receipt-each.
    assert.ok(files.includes(path.join('before-one-receipt-each', 'receipt-twice.json')));
  });

  it('replays every one without nondeterminism', async () => {
    const histories = files.map((file) => ({
      workflowId: file,
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
