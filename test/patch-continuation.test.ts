// An agreement started under the code before patch `all-of-2026-12` (workflows/patches.ts) carries on
// under today's: it asks for each patch as it did (no all-of marker), finishes, and its history replays;
// an agreement started under today's code records the one marker only. The previous code is the
// repository's own, at BEFORE, bundled from `git archive` (a full clone; a shallow one skips this file).
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

/** The last commit before patch `all-of-2026-12`. */
const BEFORE = '9a0c87c';
const root = path.join(__dirname, '..');
// Inside the repository (ignored), so the old code resolves the same node_modules.
const oldTree = path.join(root, 'test-output', `code-${BEFORE}`);

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

function extractOldCode(): string {
  if (!fs.existsSync(path.join(oldTree, 'workflows'))) {
    fs.mkdirSync(oldTree, { recursive: true });
    const archive = execFileSync('git', ['archive', BEFORE, 'workflows', 'common', 'activities'], {
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

describe('an agreement from before patch all-of-2026-12, under today’s code', function () {
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

  it('asks for each patch as before, finishes and replays; a new one records one marker', async () => {
    const now = new Date().toISOString();
    const today = DateTime.now().setZone('America/New_York').toISODate()!;
    const old = aRequest({ receivedAt: now });
    const oldId = agreementIdFor(old.institution.domain);
    await withWorker(extractOldCode(), async () => {
      await requestAgreement(env.client, old, { taskQueue: queue, policy: { registrationTracking: true } });
      const status = await remindersSent(oldId, 1);
      assert.equal(status.stage, 'awaiting-signature');
    });
    const fresh = aRequest({ receivedAt: now });
    await withWorker(workflowsPath, async () => {
      // The old agreement's next reminder, its execution and instructions run on today's code.
      assert.equal((await remindersSent(oldId, 2)).remindersSent, 2);
      const handle = env.client.workflow.getHandle(oldId);
      await handle.executeUpdate(executeUpdate, { args: [{ signedOn: today, documentRef: 'D-1' }] });
      assert.equal(((await handle.result()) as AgreementStatus).stage, 'completed');
      await requestAgreement(env.client, fresh, {
        taskQueue: queue,
        policy: { registrationTracking: false },
      });
    });
    const oldMarkers = await patchMarkers(env, oldId);
    assert.ok(!oldMarkers.includes('all-of-2026-12'), oldMarkers.join(', '));
    // Asked for the first time under today's code, live: as the code before it would have.
    assert.ok(oldMarkers.includes('registration-tracking'), oldMarkers.join(', '));
    assert.deepEqual(await patchMarkers(env, agreementIdFor(fresh.institution.domain)), ['all-of-2026-12']);
  });
});
