/**
 * Mail that did not go, where the access team reads `dura status` (client/format.ts): a line for each
 * message that failed or waited over a minute, and the instructions the mail server refused.
 */
import { strict as assert } from 'node:assert';
import { mailWaitingLines, statusView } from '../client/format';
import { nextAttemptAt } from '../common/io-retry';
import { sampleAgreement } from './helpers/samples';

describe('status text: mail that did not go', () => {
  it('mail waiting: a line for a message that failed or waited over a minute, none for one on its way', () => {
    const now = Date.parse('2026-12-01T14:05:00Z');
    const since = '2026-12-01T14:00:00.000Z';
    const base = { idempotencyKey: 'k', kind: 'reminder', to: ['osp@uw.edu'], since };
    const lines = mailWaitingLines(
      [
        // On its way for 30 s, no failure: nothing to say.
        { ...base, since: '2026-12-01T14:04:30.000Z', attempts: 1, lastAttemptAt: since, lastError: null },
        {
          ...base,
          attempts: 3,
          lastAttemptAt: '2026-12-01T14:03:00.000Z',
          lastError: 'the mail server x:25 cannot be reached (ESOCKET: …)',
          nextAttemptAt: '2026-12-01T14:23:00.000Z',
        },
        // Its next try is past (no worker is trying): not promised.
        {
          ...base,
          kind: 'executed',
          attempts: 1,
          lastAttemptAt: since,
          lastError: 'y',
          nextAttemptAt: '2026-12-01T14:01:00.000Z',
        },
        { ...base, kind: 'escalation', to: ['access-team'], attempts: 0 },
        // As a worker gave it, the records unread: over a minute, so shown, without attempts.
        { ...base, kind: 'status-update' },
      ],
      now,
    );
    assert.deepEqual(lines, [
      'reminder to osp@uw.edu, waiting since Tue, Dec 1, 2026, 9:00 AM ET; 3 attempts, the last Tue, Dec 1, 2026, 9:03 AM ET: the mail server x:25 cannot be reached (ESOCKET: …); dura tries again about Tue, Dec 1, 2026, 9:23 AM ET',
      'executed to osp@uw.edu, waiting since Tue, Dec 1, 2026, 9:00 AM ET; 1 attempt, the last Tue, Dec 1, 2026, 9:00 AM ET: y; dura tries again while a worker runs',
      'escalation to the access team, waiting since Tue, Dec 1, 2026, 9:00 AM ET; no attempt yet; dura tries again while a worker runs',
      'status-update to osp@uw.edu, waiting since Tue, Dec 1, 2026, 9:00 AM ET; dura tries again while a worker runs',
    ]);
    const view = statusView({
      ...sampleAgreement(),
      sending: [{ ...base, attempts: 2, lastAttemptAt: since, lastError: 'x' }],
    });
    assert.match(
      view,
      /\n {2}Mail waiting +reminder to osp@uw\.edu, waiting since .*: x; dura tries again while a worker runs\n/,
    );
  });

  it("a failed message's next try follows the activities' retry policy: 5 s, doubling, at most 30 minutes", () => {
    assert.deepEqual(
      [1, 2, 3, 9, 20].map((attempts) => nextAttemptAt(0, attempts) / 1000),
      [5, 10, 20, 1280, 1800],
    );
  });

  it('instructions the mail server refused for a requester: the row says so, not only the history', () => {
    const sent = { ...sampleAgreement(), instructionsSentAt: '2026-12-01T16:10:00.000Z' };
    assert.match(statusView(sent), /\n {2}Instructions sent +Tuesday, December 1, 2026, 11:10 AM ET\n/);
    const bounced = {
      ...sent,
      history: [
        ...sent.history,
        {
          at: '2026-12-01T16:10:00.000Z',
          event: 'email-failed',
          detail: 'registration-instructions (ann@uw.test): refused ann@uw.test: 550 5.1.1 no such user',
        },
      ],
    };
    assert.match(
      statusView(bounced),
      /\n {2}Instructions sent +Tuesday, December 1, 2026, 11:10 AM ET \(not delivered to ann@uw\.test: see the history; `dura registration resend` sends them again\)\n/,
    );
  });
});
