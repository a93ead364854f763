/**
 * `dura status`'s mail waiting: when a worker's answer lists messages still being sent (`sending`), what
 * the records' e-mail ledger says of each: the attempts so far, when the last one was, why it failed
 * (the mailer keeps that on the row while it retries) and about when the next comes. Shared by the full
 * path and the lean one: like status-registrations.ts it loads only kysely and the database driver in use.
 */
import { openDatabase } from '../activities/records/db';
import { queryEmails, type EmailRecord } from '../activities/records/emails';
import type { AgreementStatus, MessageInFlight } from '../common/agreement';
import { nextAttemptAt } from '../common/io-retry';
import type { StatusAnswer } from './agreement-handle';

/**
 * The answer with its mail: a worker's `sending` completed from the ledger (withMailLedger); for an
 * answer from the records (no worker answered, or Temporal is down) the ledger's `sending` rows of the
 * agreement stand in for it, without a next attempt (no worker is trying). An earlier, closed
 * agreement's answer is left as it is.
 */
export async function withMail(answer: StatusAnswer, databaseUrl: string): Promise<AgreementStatus> {
  if (answer.source === 'workflow') return withMailLedger(answer.status, databaseUrl);
  if (answer.source !== 'records') return answer.status;
  return withLedgerRows(answer.status, databaseUrl, (rows) =>
    rows.map((r) => {
      const { nextAttemptAt: _next, ...fields } = ledgerFields(r);
      return {
        idempotencyKey: r.idempotencyKey,
        kind: r.kind,
        to: r.recipients,
        since: r.createdAt,
        ...fields,
      };
    }),
  );
}

/**
 * `status` with the ledger's attempts, last attempt, last error and next attempt on each of
 * `status.sending`; `status` itself when nothing is being sent.
 */
export async function withMailLedger(status: AgreementStatus, databaseUrl: string): Promise<AgreementStatus> {
  if (!status.sending?.length) return status;
  const sending = status.sending;
  return withLedgerRows(status, databaseUrl, (rows) => {
    const byKey = new Map(rows.map((r) => [r.idempotencyKey, r]));
    // No row yet: the activity has not made its first attempt (no worker took it, or it waits on the records).
    return sending.map((m) => {
      const row = byKey.get(m.idempotencyKey);
      return row ? { ...m, ...ledgerFields(row) } : { ...m, attempts: 0 };
    });
  });
}

/** What the ledger row says of a message on its way. */
function ledgerFields(
  row: EmailRecord,
): Pick<MessageInFlight, 'attempts' | 'lastAttemptAt' | 'lastError' | 'nextAttemptAt'> {
  const next = row.detail ? nextAttemptAt(Date.parse(row.updatedAt), row.attempts) : undefined;
  return {
    attempts: row.attempts,
    lastAttemptAt: row.updatedAt,
    lastError: row.detail,
    ...(next ? { nextAttemptAt: new Date(next).toISOString() } : {}),
  };
}

/**
 * `status` with `sending` made by `build` from the agreement's `sending` ledger rows (before the
 * history, as docs/status.md lists it; none made: `status` as it is). Records that cannot be read
 * leave `status` as it is, with one line on stderr: status still answers.
 */
async function withLedgerRows(
  status: AgreementStatus,
  databaseUrl: string,
  build: (rows: EmailRecord[]) => MessageInFlight[],
): Promise<AgreementStatus> {
  let db: ReturnType<typeof openDatabase> | undefined;
  try {
    // Never made here: a data directory other than the engine's must not leave an empty database.
    db = openDatabase(databaseUrl, { mustExist: true });
    const sending = build(await queryEmails(db, { agreementId: status.agreementId, state: 'sending' }));
    if (!sending.length) return status;
    const { history, ...rest } = status;
    return { ...rest, sending, history };
  } catch (err) {
    process.stderr.write(
      `dura: the records did not answer, so mail attempts are not shown: ${(err as Error).message.split('\n')[0]}\n`,
    );
    return status;
  } finally {
    await db?.destroy();
  }
}
