/**
 * `dura status`'s mail waiting: when a worker's answer lists messages still being sent (`sending`), what
 * the records' e-mail ledger says of each: the attempts so far, when the last one was, and why it
 * failed (the mailer keeps that on the row while it retries). Shared by the full path and the lean one:
 * like status-registrations.ts it loads only kysely and the database driver in use.
 */
import { openDatabase } from '../activities/records/db';
import { queryEmails } from '../activities/records/emails';
import type { AgreementStatus } from '../common/agreement';
import { nextAttemptAt } from '../common/io-retry';
import type { StatusAnswer } from './agreement-handle';

/**
 * The answer with its mail: a worker's `sending` completed from the ledger (withMailLedger); for an
 * answer from the records (no worker answered, or Temporal is down) the ledger's `sending` rows of
 * the agreement stand in for it, since no worker can say what is on its way. An earlier, closed
 * agreement's answer is left as it is.
 */
export async function withMail(answer: StatusAnswer, databaseUrl: string): Promise<AgreementStatus> {
  if (answer.source === 'workflow') return withMailLedger(answer.status, databaseUrl);
  if (answer.source !== 'records') return answer.status;
  let db: ReturnType<typeof openDatabase> | undefined;
  try {
    db = openDatabase(databaseUrl, { mustExist: true });
    const rows = await queryEmails(db, { agreementId: answer.status.agreementId, state: 'sending' });
    if (!rows.length) return answer.status;
    const { history, ...rest } = answer.status;
    const sending = rows.map((r) => ({
      idempotencyKey: r.idempotencyKey,
      kind: r.kind,
      to: r.recipients,
      since: r.createdAt,
      attempts: r.attempts,
      lastAttemptAt: r.updatedAt,
      lastError: r.detail,
    }));
    return { ...rest, sending, history };
  } catch {
    return answer.status; // the records answered a moment ago; a second read failing changes nothing shown
  } finally {
    await db?.destroy();
  }
}

/**
 * `status` with the ledger's attempts, last attempt and last error on each of `status.sending`; `status`
 * itself when nothing is being sent. Records that cannot be read leave the entries as the worker gave
 * them, with one line on stderr: status still answers.
 */
export async function withMailLedger(status: AgreementStatus, databaseUrl: string): Promise<AgreementStatus> {
  if (!status.sending?.length) return status;
  let db: ReturnType<typeof openDatabase> | undefined;
  try {
    // Never made here: a data directory other than the engine's must not leave an empty database.
    db = openDatabase(databaseUrl, { mustExist: true });
    const rows = await queryEmails(db, { agreementId: status.agreementId, state: 'sending' });
    const byKey = new Map(rows.map((r) => [r.idempotencyKey, r]));
    const sending = status.sending.map((m) => {
      const row = byKey.get(m.idempotencyKey);
      // No row yet: the activity has not made its first attempt (no worker took it, or it waits on the records).
      if (!row) return { ...m, attempts: 0 };
      const next = row.detail ? nextAttemptAt(Date.parse(row.updatedAt), row.attempts) : undefined;
      return {
        ...m,
        attempts: row.attempts,
        lastAttemptAt: row.updatedAt,
        lastError: row.detail,
        ...(next ? { nextAttemptAt: new Date(next).toISOString() } : {}),
      };
    });
    return { ...status, sending };
  } catch (err) {
    process.stderr.write(
      `dura: the records did not answer, so mail attempts are not shown: ${(err as Error).message.split('\n')[0]}\n`,
    );
    return status;
  } finally {
    await db?.destroy();
  }
}
