/**
 * One agreement's file inside its workflow: the status, its history, what was escalated, and how it is
 * published (search attributes) and recorded (the records database). Carried whole across
 * continue-as-new.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { log, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  OPEN_STAGES,
  type AgreementAnswer,
  type AgreementSnapshot,
  type AgreementStatus,
  type MessageInFlight,
  type Stage,
} from '../common/agreement';
import type { RecordEventsInput } from '../activities/interfaces';
import { io } from './activities';
import type { AgreementInput, AgreementState } from './agreement-input';
import { BRIEF_ANSWERS, DETERMINISTIC_CLOCK, Patches } from './patches';
import * as sa from './search-attributes';

export { newState, type AgreementInput, type AgreementState } from './agreement-input';

/** Thrown from a waiting point when the agreement is cancelled or declined. */
export class AgreementEnded extends Error {}

export class Agreement {
  /** Set by handlers whenever something the main loop waits on may have changed. */
  changed = false;
  /**
   * Everything due at or before this instant (epoch ms) is due: the target of the last timer that fired
   * (workflows/follow-up.ts `isDue`). Not carried across continue-as-new: the new run's first timer,
   * 1 ms for what is already past, brings it up to date.
   */
  dueAsOf = -Infinity;
  /** When the initiation package now being sent started on its way (null when none is). */
  initiatingSince: number | null = null;
  private inFlight = 0;
  /**
   * The messages being sent, by idempotency key (workflows/mail.ts `send`): for the status query only.
   * Not state: never watched by the main loop, never in history, the records or continue-as-new.
   */
  readonly sending = new Map<string, MessageInFlight>();
  /** This run's answers to `patched()` (workflows/patches.ts); asked in its first activation. */
  readonly patches = new Patches();
  /** Each search attribute's value as last upserted, JSON-encoded (null: not set). */
  private published: Record<string, string> = {};

  constructor(
    readonly state: AgreementState,
    readonly input: AgreementInput,
  ) {
    // What the starter set (`dura request` sets stage, domain and tiers) is published already.
    if (this.patches.allOf2026_12) this.published = startedWith();
  }

  get status(): AgreementStatus {
    return this.state.status;
  }

  get isOpen(): boolean {
    return OPEN_STAGES.includes(this.status.stage);
  }

  /** The status object for the query: a copy, so callers never see later changes. */
  snapshot(): AgreementStatus {
    return structuredCopy(this.status);
  }

  /** The status query's answer: the snapshot, and the messages being sent when there are any. */
  answer(): AgreementStatus {
    const status = this.snapshot();
    if (!this.sending.size) return status;
    // Before the history, as docs/status.md lists it.
    const { history, ...rest } = status;
    return { ...rest, sending: structuredCopy([...this.sending.values()]), history };
  }

  /**
   * An update's answer, or the run's result (`AgreementAnswer`): a copy of the status, without its
   * history under patch `BRIEF_ANSWERS` (each answer is kept in the agreement's history).
   */
  reply(): AgreementAnswer {
    return this.patches.has(BRIEF_ANSWERS) ? structuredCopy(this.brief()) : this.snapshot();
  }

  /**
   * The status without its history, for activities (mail, records): their inputs are recorded in
   * history, and the whole history in each would grow the agreement's history with its square. The
   * SDK serializes activity arguments when the activity is scheduled, so no copy is needed.
   */
  brief(): AgreementSnapshot {
    const { history: _history, ...rest } = this.status;
    return rest;
  }

  /** Adds a history entry, at `at` (ISO-8601) when the event happened before now (a request's receipt). */
  log(event: string, detail?: string, at = now()): void {
    this.status.history.push(detail === undefined ? { at, event } : { at, event, detail });
    this.changed = true;
  }

  moveTo(stage: Stage, detail?: string): void {
    this.status.stage = stage;
    this.log(stage, detail);
  }

  /** Runs work beside the main loop (a send that may take hours); continue-as-new waits for it. */
  track(work: Promise<void>, { wake = true } = {}): void {
    this.inFlight++;
    // A failure here must not become an unhandled rejection, which would fail every workflow task.
    void work
      .catch((err: unknown) =>
        log.warn('background work failed', { agreementId: this.status.agreementId, error: String(err) }),
      )
      .finally(() => {
        this.inFlight--;
        if (wake) this.changed = true;
      });
  }

  get idle(): boolean {
    return this.inFlight === 0;
  }

  /** Throws AgreementEnded when the access team or the institution has ended the agreement. */
  checkEnded(): void {
    if (this.state.end) throw new AgreementEnded(this.state.end.reason);
  }

  /** Upserts the search attributes that changed since the last upsert. No PII: ids, dates, flags. */
  publish(): void {
    const s = this.status;
    const open = this.isOpen;
    const values: SearchAttributeUpdatePair[] = [
      { key: sa.DuraStage, value: s.stage },
      { key: sa.DuraInstitution, value: s.institution.domain },
      { key: sa.DuraTiers, value: [...s.tiers] },
      { key: sa.DuraInitiationDueBy, value: s.initiationDueBy ? new Date(s.initiationDueBy) : null },
      {
        key: sa.DuraNextReminderAt,
        value: open && s.nextReminderAt ? new Date(s.nextReminderAt) : null,
      },
      { key: sa.DuraOverdue, value: s.overdue },
      // Its end date once executed with one (patch `agreement-term`), so `dura list` shows it.
      ...(s.expiresOn ? [{ key: sa.DuraExpiresOn, value: new Date(`${s.expiresOn}T00:00:00Z`) }] : []),
    ];
    const changed = values.filter((pair) => {
      const encoded = JSON.stringify(pair.value);
      if (this.published[pair.key.name] === encoded) return false;
      this.published[pair.key.name] = encoded;
      return true;
    });
    if (changed.length) upsertSearchAttributes(changed);
  }

  /**
   * Writes new history entries and the snapshot to the records database (idempotent). Since patch
   * `deterministic-clock` the writes go one after another, each with only the fields that changed since
   * the one before (the first of a run: all of them), so an agreement's history bytes grow with what
   * happens to it, not with its size times its events. `force` (patch `mail-from-records`, before a
   * message): write even without a new event, so the mailer renders what the agreement knows now.
   */
  async record({ force = false } = {}): Promise<void> {
    if (!this.patches.has(DETERMINISTIC_CLOCK)) return this.recordWhole(force);
    return this.queued(() => this.recordChanges(force));
  }

  /**
   * Runs `send` with the records' pending write (forced: a message is about to be rendered from them;
   * patch `records-with-mail`: the sendEmail activity makes the write, then renders, one activity where
   * there were two). The write is taken in the records' queue, after every write before it, but the
   * queue does not wait for the message: a slow or failing mail server must not hold up the records.
   * So a later write may land first; it then carries this one's changed fields too (the baseline moves
   * to this write's fields only once it is made), and the records keep the longer history's snapshot. If `send`
   * fails, the write counts as not made: the next one sends these events again (by seq, nothing twice)
   * and the whole snapshot.
   */
  async withRecords<T>(send: (records: RecordEventsInput | undefined) => Promise<T>): Promise<T> {
    const taken = await this.queued(() => this.takeChanges(true, { keepBaseline: true }));
    let sent: T;
    try {
      sent = await send(taken?.input);
    } catch (err) {
      taken?.undo();
      throw err;
    }
    taken?.made();
    return sent;
  }

  /** `work` after every write queued before it; the queue goes on whether it succeeds or not. */
  private queued<T>(work: () => T | Promise<T>): Promise<T> {
    const next = this.recording.then(work);
    this.recording = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private recording: Promise<void> = Promise.resolve();
  /** Each field of the snapshot as last recorded (JSON), or null when the next write sends them all. */
  private recorded: Record<string, string> | null = null;

  /** `force`: write changed fields even with no new event (a message is about to be rendered from them). */
  private async recordChanges(force: boolean): Promise<void> {
    const taken = this.takeChanges(force);
    if (!taken) return;
    try {
      await io.recordEvents(taken.input);
    } catch (err) {
      taken.undo(); // not written (bad data): the next write sends these events and the whole snapshot
      throw err;
    }
  }

  /**
   * The next write (new events, changed fields), counted as made; `undo` when it was not. With
   * `keepBaseline` the fields it carries are not counted as recorded (see withRecords).
   */
  private takeChanges(
    force: boolean,
    { keepBaseline = false } = {},
  ): { input: RecordEventsInput; undo: () => void; made: () => void } | null {
    const events = this.status.history.slice(this.state.recordedCount);
    if (events.length === 0 && !force) return null;
    const firstSeq = this.state.recordedCount;
    const fields = Object.entries(this.brief()).map(([key, value]) => [key, JSON.stringify(value)]);
    const previous = this.recorded;
    const changed = fields.filter(([key, json]) => previous?.[key!] !== json);
    if (events.length === 0 && changed.length === 0) return null;
    const values = Object.fromEntries(changed.map(([key, json]) => [key, JSON.parse(json!) as unknown]));
    this.state.recordedCount += events.length;
    if (!keepBaseline) this.recorded = Object.fromEntries(fields);
    const input: RecordEventsInput = {
      agreementRef: this.state.ref,
      firstSeq,
      events,
      ...(previous ? { changes: values } : { status: values as AgreementSnapshot }),
    };
    // Writes may be in flight together (withRecords): the earliest one not made is where to resume.
    const undo = () => {
      this.state.recordedCount = Math.min(this.state.recordedCount, firstSeq);
      this.recorded = null;
    };
    // Made: its fields are the baseline, unless another write was taken against the old one meanwhile.
    const made = () => {
      if (this.recorded === previous) this.recorded = Object.fromEntries(fields);
    };
    return { input, undo, made };
  }

  /** The writes of agreements from before patch `deterministic-clock`: each the whole snapshot. */
  private async recordWhole(force: boolean): Promise<void> {
    const events = this.status.history.slice(this.state.recordedCount);
    if (events.length === 0 && !force) return;
    const firstSeq = this.state.recordedCount;
    this.state.recordedCount += events.length;
    await io.recordEvents({ agreementRef: this.state.ref, firstSeq, events, status: this.brief() });
  }
}

export function now(): string {
  return new Date().toISOString();
}

function structuredCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The search attributes this run started with, as `publish` encodes them (a key not set: null). */
function startedWith(): Record<string, string> {
  const started = workflowInfo().typedSearchAttributes;
  return Object.fromEntries(
    sa.allSearchAttributes.map((key) => [key.name, JSON.stringify(started.get(key) ?? null)]),
  );
}
