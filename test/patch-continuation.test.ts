// Agreements started under the code before a marker patch (workflows/patches.ts) carry on under
// today's: one from before `all-of-2026-12` asks for each patch as it did, one from before
// `all-of-2026-12-b` keeps its marker and asks for `brief-answers` when it first answers; both finish and
// their histories replay; an agreement started under today's code records one marker only. The previous
// code is the repository's own, bundled from `git archive` (a full clone; a shallow one skips this file).
// On the dev server with a compressed calendar (a day lasts half a second), as the fault tests run.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { requestAgreement } from '../client/agreements';
import { createActivities, type DuraActivities } from '../activities';
import { loadConfig } from '../common/config';
import { agreementIdFor, type AgreementStatus } from '../common/agreement';
import { compressedCalendar } from '../bench/lib/fast-worker';
import { executeUpdate, statusQuery } from '../workflows/messages';
import { createWorker, devServerEnv, taskQueue } from './helpers/env';
import { aRequest, workflowsPath } from './helpers/agreements';
import { startSmtp, type TestSmtp } from './helpers/mail';

/** The last commit before each marker patch, and the markers its agreement must (not) end with. */
const BEFORE = [
  {
    commit: '9a0c87c',
    marker: 'all-of-2026-12',
    has: ['registration-tracking', 'brief-answers'],
    lacks: ['all-of-2026-12'],
  },
  {
    commit: 'cff778e',
    marker: 'all-of-2026-12-b',
    has: ['all-of-2026-12', 'brief-answers'],
    lacks: ['all-of-2026-12-b'],
  },
];
const root = path.join(__dirname, '..');

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

function extractOldCode(commit: string): string {
  // Inside the repository (ignored), so the old code resolves the same node_modules.
  const oldTree = path.join(root, 'test-output', `code-${commit}`);
  if (!fs.existsSync(path.join(oldTree, 'workflows'))) {
    fs.mkdirSync(oldTree, { recursive: true });
    const archive = execFileSync('git', ['archive', commit, 'workflows', 'common', 'activities'], {
      cwd: root,
      maxBuffer: 64 << 20,
    });
    execFileSync('tar', ['-x', '-C', oldTree], { input: archive });
  }
  return path.join(oldTree, 'workflows');
}

/** The patch markers in a workflow's history, in order. */
async function patchMarkers(env: TestWorkflowEnvironment, workflowId: string): Promise<string[]> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const payload = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0];
    return payload?.data ? [(JSON.parse(Buffer.from(payload.data).toString()) as { id: string }).id] : [];
  });
}

describe('agreements from before the marker patches, under today’s code', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let smtp: TestSmtp;
  let dura: DuraActivities;
  let dir: string;
  const queue = taskQueue('continuation');

  before(async function () {
    if (git('rev-parse', '--is-shallow-repository') === 'true') this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-continuation-'));
    smtp = await startSmtp();
    dura = await createActivities(
      loadConfig({ DATABASE_URL: `sqlite:${dir}/dura.sqlite`, SMTP_URL: smtp.url }),
      {
        dataDir: dir,
        env: {},
      },
    );
    env = await devServerEnv();
  });
  after(async () => {
    await env?.teardown(); // replays every history the server holds with today's code
    await dura?.close();
    await smtp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `body` with one worker of the given code, then shuts it down. */
  async function withWorker(code: string, body: () => Promise<void>): Promise<void> {
    const activities = { ...dura.activities, ...compressedCalendar(0.5) };
    const worker = await createWorker(env, { taskQueue: queue, workflowsPath: code, activities });
    await worker.runUntil(body());
  }

  async function remindersSent(workflowId: string, atLeast: number): Promise<AgreementStatus> {
    const handle = env.client.workflow.getHandle(workflowId);
    for (const until = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 200))) {
      const status = await handle.query(statusQuery);
      if (status.remindersSent >= atLeast || Date.now() > until) return status;
    }
  }

  for (const before of BEFORE)
    it(`before ${before.marker}: asks for its patches as before, finishes and replays; a new one records one marker`, async () => {
      const now = new Date().toISOString();
      const today = DateTime.now().setZone('America/New_York').toISODate()!;
      const old = aRequest({ receivedAt: now });
      const oldId = agreementIdFor(old.institution.domain);
      await withWorker(extractOldCode(before.commit), async () => {
        await requestAgreement(env.client, old, { taskQueue: queue, policy: { registrationTracking: true } });
        const status = await remindersSent(oldId, 1);
        assert.equal(status.stage, 'awaiting-signature');
      });
      const fresh = aRequest({ receivedAt: now });
      await withWorker(workflowsPath, async () => {
        // The old agreement's next reminder, its execution and instructions run on today's code.
        assert.equal((await remindersSent(oldId, 2)).remindersSent, 2);
        const handle = env.client.workflow.getHandle(oldId);
        const answer = await handle.executeUpdate(executeUpdate, {
          args: [{ signedOn: today, documentRef: 'D-1' }],
        });
        // Answered live under today's code: without the history (patch brief-answers).
        assert.equal('history' in answer, false);
        assert.equal((await handle.result()).stage, 'completed');
        await requestAgreement(env.client, fresh, {
          taskQueue: queue,
          policy: { registrationTracking: false },
        });
      });
      const oldMarkers = await patchMarkers(env, oldId);
      for (const marker of before.has)
        assert.ok(oldMarkers.includes(marker), `${marker}: ${oldMarkers.join(', ')}`);
      for (const marker of before.lacks)
        assert.ok(!oldMarkers.includes(marker), `${marker}: ${oldMarkers.join(', ')}`);
      assert.deepEqual(await patchMarkers(env, agreementIdFor(fresh.institution.domain)), [
        'all-of-2026-12-b',
      ]);
    });
});
