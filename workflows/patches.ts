/**
 * The agreement workflow's patches (Temporal's `patched()`), and the one marker that stands for them all
 * in agreements started since.
 *
 * Every change to how a months-long agreement runs is made behind a patch, so agreements already running
 * replay unchanged. Each patch asked for writes a marker and a `TemporalChangeVersion` search-attribute
 * upsert to the agreement's history: by December 2026 twelve of a lifecycle's 160 events, and one
 * visibility write each on the server. An agreement started under code that has all the patches below
 * records one marker (`ALL_OF_2026_12_B` since it came; `ALL_OF_2026_12` before, for the first seven)
 * at its first workflow task, and takes every patched path
 * without asking for each (`Patches.has`).
 *
 * Why it is safe: the marker is asked for once, in the run's first activation. An agreement that began
 * before this code always replays its first activation, where `patched()` finds no marker and answers
 * false, and from then on it asks for each patch as before: the same commands, the same history. An
 * agreement from after it has the marker, and replays with it. A later change adds its own patch, asked
 * for by `has` as usual; a later marker of this kind would take over the list.
 */
import { patched } from '@temporalio/workflow';

/**
 * An agreement has its own id (`<domain>-<n>`, records/agreement-ids.ts) and knows the institution's
 * earlier agreements; before it, its id was its workflow id (`dura-<domain>`).
 */
export const AGREEMENT_IDS = 'agreement-ids';

/**
 * The calendar in workflow code and only fired timers deciding what is due (workflows/clock.ts,
 * workflows/follow-up.ts `isDue`): the agreement's commands no longer depend on when a local activity
 * resolves nor on the clock of the task that ran them.
 */
export const DETERMINISTIC_CLOCK = 'deterministic-clock';

/**
 * A message names its agreement (`agreementRef`) and the mailer renders the snapshot the records hold,
 * brought up to date just before, instead of carrying the whole snapshot in its input: each message's
 * history event shrinks from about 2 kB to a few hundred bytes (issue 12, history weight).
 */
export const MAIL_FROM_RECORDS = 'mail-from-records';

/**
 * With automatic initiation, the requester's first message waits for the initiation package, so a
 * request initiated at once gets one message saying both (received, and sent to the signing official),
 * not two a second apart (issue 15, item 5).
 */
export const ONE_FIRST_MAIL = 'one-first-mail';

/**
 * The records' write before a message travels with it, made by the sendEmail activity (workflows/mail.ts
 * `sendWithRecords`), instead of a recordEvents activity of its own first (issue 12: CPU and history).
 */
export const RECORDS_WITH_MAIL = 'records-with-mail';

/** Registration tracking (issue 18, workflows/registration-start.ts). */
export const REGISTRATION_TRACKING = 'registration-tracking';

/** The agreement's term (issue 18, workflows/term-start.ts). */
export const AGREEMENT_TERM = 'agreement-term';

/**
 * The marker of agreements started under code with every patch above. Two changes come with it (for
 * those agreements only): the search attributes the starter set are taken as published, so the first
 * workflow task does not upsert them again (workflows/agreement-state.ts `publish`); and the history's
 * `requested` is dated when the request came in, not when the engine took it (workflows/triage.ts).
 */
export const ALL_OF_2026_12 = 'all-of-2026-12';

const IN_ALL_OF_2026_12: ReadonlySet<string> = new Set([
  AGREEMENT_IDS,
  DETERMINISTIC_CLOCK,
  MAIL_FROM_RECORDS,
  ONE_FIRST_MAIL,
  RECORDS_WITH_MAIL,
  REGISTRATION_TRACKING,
  AGREEMENT_TERM,
]);

// Patches since the marker: asked for each, by every agreement, where they apply.
/**
 * A pause of the reminders changes nothing but the pause: while it lasts the next reminder stays when it
 * was due (or the pause's end, if later), and when it ends by itself the reminders resume as
 * `resume-reminders` resumes them. Before it, the end of every pause sent a reminder at once.
 */
export const PAUSE_KEEPS_SCHEDULE = 'pause-keeps-schedule';
/**
 * `set-official` naming an official the agreement already has (a corrected name or title, or one of
 * several made the only one) sends no second initiation package, and the history says what changed.
 */
export const OFFICIAL_KEPT = 'official-kept';

/**
 * A requester who joins while the "we received your request" messages are going out hears once, on
 * joining (handlers.ts `addRequester`); before it, the round going out reached them too (a trial's
 * import: two receipts, `…/joined/…` and `…/received/…`). Asked only when that happens.
 */
export const ONE_RECEIPT_EACH = 'one-receipt-each';

/**
 * An initiation package that reaches the official after the agreement was executed (it waited on a mail
 * server that was down) changes nothing but the history, as one after a cancel does: no `initiatedAt`,
 * no reminders due, no stage moved back, no held receipt (a trial: a completed agreement with its next
 * reminder due, and an escalation calling it awaiting-signature). Asked only when that happens.
 */
export const EXECUTION_STANDS = 'execution-stands';

/**
 * Updates answer with the status without its history (`AgreementStatus` less `history`), and so does the
 * workflow's result: each answer is kept in the agreement's history, and with the whole history in
 * every answer an agreement's history grew with the square of its events (issue 12, history weight).
 * `dura`'s controls ask the agreement for the history when they print it (client/commands/controls.ts).
 */
export const BRIEF_ANSWERS = 'brief-answers';

/**
 * A reminder sent during a pause (`remind-now`) puts the next one at the pause's end at the earliest, as
 * `pause-reminders` does; before it, the next was due inside the pause, which held it, while `dura list`,
 * the status page and `dura doctor` read the earlier date (a trial). Asked only when that happens.
 */
export const REMIND_NOW_KEEPS_PAUSE = 'remind-now-keeps-pause';

/**
 * Triage holds the package for the access team, as manual initiation does, when it should be looked at
 * first (workflows/triage.ts `holdForReview`): a domain that may belong to a listed institution, an
 * institution that declined within the year, or a web request that looks like a mistyped twin of one in
 * process. Before it, each went to the official at once (a trial: a listed college's own official asked
 * to sign again for its lab's subdomain). Asked only when a reason is found.
 */
export const TRIAGE_HOLDS = 'triage-holds';

/**
 * An initiation package that reaches an official after the agreement was cancelled or declined (it
 * waited on a mail server that was down) is followed by the closed notice an initiated agreement's
 * officials get (steps.ts `initiateAgreement`). Before it, the official held a package for a closed
 * agreement and heard nothing more (a trial). Asked only when that happens.
 */
export const CLOSED_AFTER_PACKAGE = 'closed-after-package';

/**
 * The marker of agreements started under code with every patch above: it takes over from
 * `ALL_OF_2026_12` for them, as that one took over from the patches before it (the file's comment).
 */
export const ALL_OF_2026_12_B = 'all-of-2026-12-b';

const IN_ALL_OF_2026_12_B: ReadonlySet<string> = new Set([
  ...IN_ALL_OF_2026_12,
  PAUSE_KEEPS_SCHEDULE,
  OFFICIAL_KEPT,
  ONE_RECEIPT_EACH,
  EXECUTION_STANDS,
  BRIEF_ANSWERS,
]);

/** One run's answers to `patched()`. Made in the run's first activation (see the file's comment). */
export class Patches {
  /** Whether this run started with every patch of 2026-12 (its history has `ALL_OF_2026_12` or `_B`). */
  readonly allOf2026_12: boolean;
  /** Whether this run started with every patch above `ALL_OF_2026_12_B` (its history has that marker). */
  readonly allOf2026_12b: boolean;

  constructor() {
    // The SDK does not keep a `false` found in replay: asked again once live, it would say true. The
    // newer marker first: a run that has it never asks for the older one, so records one marker.
    this.allOf2026_12b = patched(ALL_OF_2026_12_B);
    this.allOf2026_12 = this.allOf2026_12b || patched(ALL_OF_2026_12);
  }

  /** `patched(id)`, answered without a marker of its own when this run has a marker that holds `id`. */
  has(id: string): boolean {
    if (this.allOf2026_12b && IN_ALL_OF_2026_12_B.has(id)) return true;
    return (this.allOf2026_12 && IN_ALL_OF_2026_12.has(id)) || patched(id);
  }
}
