/**
 * The requesters' registrations in the records (issue 18; table `registrations`, migration 004): the row
 * each registration workflow (workflows/registration.ts) upserts whole, and the look-ups the CLI, the web
 * hook, `dura status` and the Monday digest make without a worker.
 *
 * Its events also join its agreement's audit trail (agreement_events), so the agreement's history shows
 * each step, nudge, escalation and completion. The agreement workflow numbers its own events from 0; a
 * registration's take numbers from REGISTRATION_SEQ_BASE up (after every event of the agreement's own,
 * far below PostgreSQL's 32-bit integer), so neither can take the other's. A retried write inserts
 * nothing twice: an event with the same instant, name and detail is already there.
 */
import { SqliteAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { HistoryEntry } from '../../common/agreement';
import { normalizeDomain } from '../../common/agreement';
import { searchFold } from '../../common/collation';
import { institutionsMatching } from './institution-search';
import {
  isOpenRegistration,
  REGISTRATION_STEPS,
  type RegistrationStatus,
  type RegistrationStep,
} from '../../common/registration';
import type {
  NewerRegistration,
  NewerRegistrationInput,
  RecordRegistrationInput,
  StepsAlreadyDone,
  StepsAlreadyDoneInput,
} from '../interfaces';
import type { Database, RegistrationsTable } from './schema';

/** The first seq a registration's event takes in its agreement's audit trail. */
export const REGISTRATION_SEQ_BASE = 1_000_000_000;

/** A registration as the records hold it: the status without its history, with its agreement's ref. */
export type RegistrationRow = Omit<RegistrationStatus, 'history'> & {
  agreementRef: string;
  /** ISO-8601: when the workflow last wrote it. */
  updatedAt: string;
};

const COLUMN: Record<RegistrationStep, keyof RegistrationsTable & `${string}_on`> = {
  account: 'account_on',
  'two-step': 'two_step_on',
  identity: 'identity_on',
  'code-of-conduct': 'code_of_conduct_on',
  'rcr-training': 'rcr_training_on',
};

function toTable(input: RecordRegistrationInput, now: Date): RegistrationsTable {
  const r = input.registration;
  const steps = Object.fromEntries(REGISTRATION_STEPS.map((s) => [COLUMN[s], r.steps[s] ?? null]));
  return {
    registration_id: r.registrationId,
    agreement_id: r.agreementId,
    agreement_ref: input.agreementRef,
    institution_domain: normalizeDomain(r.institution.domain),
    institution_name: r.institution.name,
    requester_name: r.requester.name,
    requester_email: r.requester.email.trim().toLowerCase(),
    instructions_sent_at: r.instructionsSentAt,
    ...(steps as Pick<RegistrationsTable, `${string}_on` & keyof RegistrationsTable>),
    nudges_sent: r.nudgesSent,
    next_nudge_at: r.nextNudgeAt,
    escalated_at: r.escalatedAt,
    completed_at: r.completedAt,
    closed_at: r.closedAt ?? null,
    closed_reason: r.closedReason ?? null,
    updated_at: now.toISOString(),
  } as RegistrationsTable;
}

function fromTable(row: RegistrationsTable): RegistrationRow {
  return {
    registrationId: row.registration_id,
    agreementId: row.agreement_id,
    agreementRef: row.agreement_ref,
    institution: { name: row.institution_name, domain: row.institution_domain },
    requester: { name: row.requester_name, email: row.requester_email },
    instructionsSentAt: row.instructions_sent_at,
    steps: Object.fromEntries(REGISTRATION_STEPS.map((s) => [s, row[COLUMN[s]]])) as RegistrationRow['steps'],
    nudgesSent: Number(row.nudges_sent),
    nextNudgeAt: row.next_nudge_at,
    escalatedAt: row.escalated_at,
    completedAt: row.completed_at,
    closedAt: row.closed_at,
    closedReason: row.closed_reason,
    updatedAt: row.updated_at,
  };
}

/** Upserts the registration's row and appends its new events to its agreement's audit trail (idempotent). */
export async function recordRegistration(
  db: Kysely<Database>,
  input: RecordRegistrationInput,
  now = new Date(),
): Promise<void> {
  const row = toTable(input, now);
  const { registration_id: _key, ...update } = row;
  await db.transaction().execute(async (trx) => {
    // One writer per agreement at a time, so that two of its registrations recording at once never
    // pick the same seq (PostgreSQL; SQLite runs one write transaction at a time anyway).
    if (!(trx.getExecutor().adapter instanceof SqliteAdapter))
      await sql`select pg_advisory_xact_lock(hashtext(${input.agreementRef}))`.execute(trx);
    await trx
      .insertInto('registrations')
      .values(row)
      .onConflict((oc) => oc.column('registration_id').doUpdateSet(update))
      .execute();
    for (const event of input.events) await appendEvent(trx, input.agreementRef, event);
  });
}

async function appendEvent(trx: Transaction<Database>, agreementRef: string, e: HistoryEntry): Promise<void> {
  const detail = e.detail ?? null;
  const same = await trx
    .selectFrom('agreement_events')
    .select('seq')
    .where('agreement_ref', '=', agreementRef)
    .where('seq', '>=', REGISTRATION_SEQ_BASE)
    .where('at', '=', e.at)
    .where('event', '=', e.event)
    .where((eb) => (detail === null ? eb('detail', 'is', null) : eb('detail', '=', detail)))
    .executeTakeFirst();
  if (same) return;
  const { last } = await trx
    .selectFrom('agreement_events')
    .select(sql<number | null>`max(seq)`.as('last'))
    .where('agreement_ref', '=', agreementRef)
    .where('seq', '>=', REGISTRATION_SEQ_BASE)
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('agreement_events')
    .values({
      agreement_ref: agreementRef,
      seq: last === null ? REGISTRATION_SEQ_BASE : Number(last) + 1,
      at: e.at,
      event: e.event,
      detail,
    })
    .execute();
}

/** Every registration of the address (any case), newest instructions first. */
export async function registrationsFor(db: Kysely<Database>, email: string): Promise<RegistrationRow[]> {
  const rows = await db
    .selectFrom('registrations')
    .selectAll()
    .where('requester_email', '=', email.trim().toLowerCase())
    .orderBy('instructions_sent_at', 'desc')
    .orderBy('registration_id', 'desc')
    .execute();
  return rows.map(fromTable);
}

/**
 * The steps the address (any case) already completed in its other registrations (issue 18: a
 * requester's steps are the person's, not the agreement's: a renewal's registration starts with them).
 * Per step, the date the newest registration that has it gives (a corrected date wins over an older
 * one); `from` names each registration a step came from, newest first. None: every step null, `from` [].
 */
export async function stepsAlreadyDone(
  db: Kysely<Database>,
  input: StepsAlreadyDoneInput,
): Promise<StepsAlreadyDone> {
  const steps = Object.fromEntries(REGISTRATION_STEPS.map((s) => [s, null])) as StepsAlreadyDone['steps'];
  const from: StepsAlreadyDone['from'] = [];
  for (const row of await registrationsFor(db, input.email)) {
    if (row.registrationId === input.exceptRegistrationId) continue;
    const taken = REGISTRATION_STEPS.filter((s) => !steps[s] && row.steps[s]);
    for (const s of taken) steps[s] = row.steps[s];
    if (taken.length)
      from.push({ registrationId: row.registrationId, agreementId: row.agreementId, steps: taken });
  }
  return { steps, from };
}

/**
 * The newest open registration (completed_at null) of the address (any case) whose instructions went
 * out after `instructionsSentAt` (ISO-8601), other than `registrationId`; null when there is none. An
 * older registration hands its nudges over to it (issue 18: after a renewal only the renewal's nudges).
 */
export async function newerRegistration(
  db: Kysely<Database>,
  input: NewerRegistrationInput,
): Promise<NewerRegistration | null> {
  const since = Date.parse(input.instructionsSentAt);
  const newer = (await registrationsFor(db, input.email)).find(
    (row) =>
      row.registrationId !== input.registrationId &&
      isOpenRegistration(row) &&
      Date.parse(row.instructionsSentAt) > since,
  );
  return newer ? { registrationId: newer.registrationId, agreementId: newer.agreementId } : null;
}

/**
 * Registrations, newest instructions first. `institution`: text found as `dura institutions lookup`
 * finds it (institution-search.ts): in the institution's name, accents and case aside (`universite`,
 * `Montreal`), or in any of its domains (`umontreal`, `med.uw.edu`). `agreementId`: one agreement's.
 * `stalled`: only those not completed nor closed whose access team was told (escalated).
 */
export async function listRegistrations(
  db: Kysely<Database>,
  filter: { institution?: string; agreementId?: string; stalled?: boolean } = {},
): Promise<RegistrationRow[]> {
  const fragment = filter.institution?.trim();
  const rows = await db
    .selectFrom('registrations')
    .selectAll()
    .$if(filter.agreementId !== undefined, (q) => q.where('agreement_id', '=', filter.agreementId!))
    .$if(filter.stalled === true, (q) =>
      q
        .where('completed_at', 'is', null)
        .where('closed_at', 'is', null)
        .where('escalated_at', 'is not', null),
    )
    .orderBy('instructions_sent_at', 'desc')
    .orderBy('registration_id', 'desc')
    .execute();
  if (!fragment) return rows.map(fromTable);
  // Matched in code, as the lookup is: neither database folds accents without an extension.
  const wanted = searchFold(fragment);
  const listed = new Set(await institutionsMatching(db, fragment));
  return rows
    .filter(
      (r) =>
        r.institution_domain === normalizeDomain(fragment) ||
        r.institution_domain.includes(wanted) ||
        searchFold(r.institution_name).includes(wanted) ||
        listed.has(r.institution_domain),
    )
    .map(fromTable);
}
