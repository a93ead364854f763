/**
 * Writing and reading an agreement's records: its audit trail appended and its status snapshot upserted
 * (the recordEvents activity, and the sendEmail activity that carries the pending write), and the
 * snapshot with its history as `dura status` reads it when no worker answers.
 */
import { ApplicationFailure } from '@temporalio/common';
import { sql, type Kysely } from 'kysely';
import { agreementTarget } from '../../common/agreement-target';
import type { AgreementSnapshot, AgreementStatus } from '../../common/agreement';
import { BAD_DATA, type RecordEventsInput } from '../interfaces';
import { agreementRow } from './agreement-row';
import { agreementsOfRequester, withHistories } from './open-agreements';
import type { Database } from './schema';

// SQLite allows 32766 bound parameters per statement; 5 per event keeps far below.
const EVENT_BATCH = 500;

/**
 * Appends the events (by seq: a retry inserts nothing twice) and upserts the status snapshot, whole or
 * the recorded one with the changed fields applied. Changes for an agreement with no snapshot are bad
 * data (non-retryable): the workflow then sends the whole snapshot with its next write.
 */
export async function recordEvents(db: Kysely<Database>, input: RecordEventsInput): Promise<void> {
  const length = input.firstSeq + input.events.length;
  await db.transaction().execute(async (trx) => {
    let status = input.status;
    if (!status) {
      const recorded = await trx
        .selectFrom('agreements')
        .select('status_json')
        .where('agreement_ref', '=', input.agreementRef)
        .executeTakeFirst();
      if (!recorded)
        throw ApplicationFailure.nonRetryable(
          `agreementRef: ${input.agreementRef} has no recorded snapshot to apply changes to`,
          BAD_DATA,
        );
      status = { ...(JSON.parse(recorded.status_json) as AgreementSnapshot), ...input.changes };
    }
    const row = agreementRow(input.agreementRef, status, length);
    const { agreement_ref: _key, ...update } = row;
    // The agreement first: events reference it. A late retry of an older call keeps the newer snapshot.
    await trx
      .insertInto('agreements')
      .values(row)
      .onConflict((oc) =>
        oc.column('agreement_ref').doUpdateSet(update).where('agreements.history_length', '<=', length),
      )
      .execute();
    for (let i = 0; i < input.events.length; i += EVENT_BATCH) {
      const batch = input.events.slice(i, i + EVENT_BATCH).map((e, j) => ({
        agreement_ref: input.agreementRef,
        seq: input.firstSeq + i + j,
        at: e.at,
        event: e.event,
        detail: e.detail ?? null,
      }));
      await trx
        .insertInto('agreement_events')
        .values(batch)
        .onConflict((oc) => oc.columns(['agreement_ref', 'seq']).doNothing())
        .execute();
    }
  });
}

/**
 * The last snapshot of an agreement, with its history, or null. `typed` as agreementTarget reads it:
 * an agreement id names one; a domain or address names its institution's agreement in process, else
 * its latest (a not-needed request only when the institution had nothing else).
 */
export async function agreementStatus(db: Kysely<Database>, typed: string): Promise<AgreementStatus | null> {
  const target = agreementTarget(typed);
  const row = await db
    .selectFrom('agreements')
    .select(['agreement_ref', 'status_json'])
    .$if(target.agreementId !== undefined, (q) => q.where('agreement_id', '=', target.agreementId!))
    .$if(target.agreementId === undefined && target.email !== undefined, (q) =>
      q.orderBy(sql`case when agreement_id like ${`${target.email}-%`} then 0 else 1 end`),
    )
    .$if(target.agreementId === undefined, (q) =>
      q.where((eb) => eb.or([eb('domain', '=', target.domain!), eb('agreement_id', '=', target.workflowId)])),
    )
    .orderBy(sql`case when stage = 'not-needed' then 1 else 0 end`)
    .orderBy(sql`case when ended_at is null then 0 else 1 end`)
    .orderBy('received_at', 'desc')
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
  if (!row) {
    // A requester at another domain (ada@gmail.com): the agreement they asked for.
    const asked = target.email && !target.agreementId ? await agreementsOfRequester(db, target.email) : [];
    return asked[0] ? agreementStatus(db, asked[0]) : null;
  }
  const [status] = await withHistories(db, [row]);
  return status!;
}
