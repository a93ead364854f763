/**
 * An executed agreement's term (issue 18): from its execution to its end date, warnings to the signing
 * officials and the access team `termWarningDays` (60, 30, 15) days before, at 09:00 New York on a
 * business morning, then its end: `renewed` (its renewal was executed: `renewedSignal`) or, the end date
 * passed unrenewed, `lapsed` (the registry's tiers it listed are marked lapsed, the access team told).
 *
 * Its own workflow, not the agreement's: an agreement's workflow id is the institution's (one in process
 * at a time, common/agreement.ts `agreementIdFor`), so an agreement that stayed open for its term would
 * be joined by the next request. Started by the agreement's `complete` step as an abandoned child
 * (workflows/steps.ts, patch `agreement-term`); its id names no person: `termWorkflowId`.
 *
 * Deterministic: the calendar table comes from the `calendarTable` activity (as workflows/clock.ts);
 * dates are computed on UTC dates; every message has an idempotency key `<ref>/<kind>/<days>`.
 */
import {
  ActivityFailure,
  condition,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { HistoryEntry, Institution, SigningOfficial, Stage, Tier } from '../common/agreement';
import { BusinessCalendar, tableSource } from '../common/business-calendar';
import type { EmailKind, Recipient, TermRecord } from '../activities/interfaces';
import { io } from './activities';
import * as sa from './search-attributes';
import { renewedSignal, termStatusQuery, type TermStatus, type TermWarning } from './term-messages';

export interface TermInput {
  agreementId: string;
  /** The agreement's records reference (its first run id): mail renders its snapshot; events go to it. */
  agreementRef: string;
  institution: Institution;
  /** An individual agreement: the address it lists. */
  individual?: string;
  tiers: Tier[];
  signedOn: string;
  /** YYYY-MM-DD, after `signedOn`. */
  expiresOn: string;
  /** Days before the end date (policy `termWarningDays`). */
  warningDays: number[];
  officials: SigningOfficial[];
}

const DAY_MS = 86_400_000;

/**
 * The term's workflow id: `dura-term-<ref>`, the agreement's records reference (its first run id): no
 * address in it, even for an individual agreement (`ada@uw.edu-1`), and read from the agreement's own
 * history, so it replays under any workflow id (a replay's id is its file's name).
 */
export function termWorkflowId(agreementRef: string): string {
  return `dura-term-${agreementRef}`;
}

/** `date` (YYYY-MM-DD) plus `days` calendar days (negative: before). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** `date` plus `months` calendar months, clamped to the month's last day (2026-01-31 + 1: 2026-02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

export async function termWorkflow(input: TermInput): Promise<TermStatus> {
  const now = () => new Date().toISOString();
  const from = new Date(Date.now()).getUTCFullYear() - 1;
  const to = Number(input.expiresOn.slice(0, 4)) + 1;
  const table = await io.calendarTable({ fromYear: from, toYear: to });
  const calendar = new BusinessCalendar(tableSource(table));
  const lapsedOn = addDays(input.expiresOn, 1);
  const status: TermStatus = {
    agreementId: input.agreementId,
    institution: input.institution,
    tiers: input.tiers,
    signedOn: input.signedOn,
    expiresOn: input.expiresOn,
    lapsesAt: calendar.atWallClock(lapsedOn, 0).toISOString(),
    outcome: 'in-term',
    renewedBy: null,
    lapsedOn: null,
    warnings: [...new Set(input.warningDays)]
      .filter((d) => Number.isInteger(d) && d > 0)
      .sort((a, b) => b - a)
      .map((daysBefore) => ({
        daysBefore,
        dueAt: calendar.businessMorning(addDays(input.expiresOn, -daysBefore)).toISOString(),
        state: 'pending',
      })),
    history: [],
  };
  const { agreementRef: ref } = input;
  let renewal = null as string | null;
  setHandler(renewedSignal, ({ agreementId }) => {
    renewal ??= String(agreementId);
  });
  setHandler(termStatusQuery, () => JSON.parse(JSON.stringify(status)) as TermStatus);

  // No stage while in force: the agreement's own workflow says `completed`, and the official
  // `DuraStage='…'` query must find each agreement once (design.md); the term's end is its stage.
  const publish = (stage: Stage | null) =>
    upsertSearchAttributes([
      ...(stage ? [{ key: sa.DuraStage, value: stage }] : []),
      { key: sa.DuraInstitution, value: input.institution.domain },
      { key: sa.DuraTiers, value: [...input.tiers] },
      { key: sa.DuraExpiresOn, value: new Date(`${input.expiresOn}T00:00:00Z`) },
    ]);
  upsertMemo({ agreementId: input.agreementId });
  publish(null);

  /**
   * In this workflow's history, and (`record`) appended to the agreement's in the records. What happens
   * at the term's start stays here: the agreement is still writing its last events then.
   */
  const log = async (
    event: string,
    detail: string,
    record: Omit<TermRecord, 'agreementRef' | 'event'> | null = null,
  ) => {
    const entry: HistoryEntry = { at: now(), event, detail };
    status.history.push(entry);
    if (record) await io.recordTerm({ agreementRef: ref, event: entry, ...record });
  };
  const mail = async (
    kind: EmailKind,
    key: string,
    to: Recipient[],
    cc: Recipient[],
    extra: Record<string, string | number>,
  ) => {
    try {
      const receipt = await io.sendEmail({
        idempotencyKey: `${ref}/${kind}/${key}`,
        kind,
        agreementId: input.agreementId,
        to,
        cc,
        agreementRef: ref,
        extra,
      });
      if (receipt.state === 'sent') return true;
      await log('email-failed', `${kind} (${key}): ${receipt.detail ?? 'rejected by the mail server'}`, {});
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      await log('email-failed', `${kind} (${key}): ${err.cause?.message ?? String(err)}`, {});
    }
    return false;
  };

  await log(
    'term-started',
    `in force until ${input.expiresOn}; warnings ${status.warnings.map((w) => w.daysBefore).join(', ') || 'none'} days before`,
  );
  const officials: Recipient[] = input.officials.map((o) => ({ name: o.name, email: o.email }));
  for (const warning of status.warnings as TermWarning[]) {
    const wait = Date.parse(warning.dueAt) - Date.now();
    if (wait <= 0) {
      warning.state = 'skipped';
      await log(
        'term-warning-skipped',
        `${warning.daysBefore} days before: ${warning.dueAt} had passed when the term started`,
      );
      continue;
    }
    if (await condition(() => renewal !== null, wait)) break;
    const to = officials.length ? officials : (['access-team'] as Recipient[]);
    const sent = await mail(
      'term-warning',
      String(warning.daysBefore),
      to,
      officials.length ? ['access-team'] : [],
      {
        daysBefore: warning.daysBefore,
      },
    );
    warning.state = sent ? 'sent' : 'pending';
    if (sent)
      await log(
        'term-warning-sent',
        `${warning.daysBefore} days before the end date, to the signing officials and the access team`,
        {},
      );
  }
  const lapseIn = Date.parse(status.lapsesAt) - Date.now();
  if (renewal === null && lapseIn > 0) await condition(() => renewal !== null, lapseIn);
  for (const w of status.warnings) if (w.state === 'pending' && renewal !== null) w.state = 'not-needed';

  if (renewal !== null) {
    status.outcome = 'renewed';
    status.renewedBy = renewal;
    await log('renewed', `by ${renewal}, executed before the end date`, {
      changes: { stage: 'renewed', renewedBy: renewal },
    });
    publish('renewed');
    return status;
  }
  status.outcome = 'lapsed';
  status.lapsedOn = lapsedOn;
  const lapse = {
    agreementId: input.agreementId,
    institution: input.institution,
    ...(input.individual ? { individual: input.individual } : {}),
    tiers: input.tiers,
    lapsedOn,
  };
  await log(
    'lapsed',
    `the end date ${input.expiresOn} passed unrenewed; ${input.individual ?? input.institution.domain} lapsed for ${input.tiers.join(', ')}`,
    {
      changes: { stage: 'lapsed', lapsedOn },
      lapse,
    },
  );
  publish('lapsed');
  await mail('term-lapsed', 'access-team', ['access-team'], [], { lapsedOn });
  return status;
}
