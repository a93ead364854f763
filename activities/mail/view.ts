/**
 * What a template sees: the agreement in words (dates in New York time, tiers and names joined as a
 * person would write them), the kind-specific extra values, the configured links and contacts.
 */
import {
  atDomain,
  officialsOf,
  sameEmail,
  type AgreementSnapshot,
  type Person,
  type Stage,
  type Tier,
} from '../../common/agreement';
import type { RegistrationStep } from '../../common/registration';
import type { EmailRequest } from '../interfaces';
import type { MailLinks } from './settings';
import type { PersonalLink } from './status-links';
import { alreadyRegisteredView, registrationView } from './registration-view';
import { dateInWords, inWords, readWhen, receivedInWords } from '../../common/when';

export type ViewValue = string | number | boolean | null;
export interface View {
  /** A list is repeated by a `{{#name}}…{{/name}}` section (render.ts). */
  [name: string]: ViewValue | View | View[];
}

export interface ViewContext {
  links: MailLinks;
  accessTeam: string;
  aouSigningOfficial: string;
  now: Date;
  /** The recipient's personal status link (status-links.ts), made before: this function is synchronous. */
  statusLink?: PersonalLink | null;
  /**
   * The registration steps the recipient already completed for earlier agreements (registration
   * instructions only, issue 18): per step its New York date or null. Unset: none.
   */
  stepsDone?: Record<RegistrationStep, string | null> | null;
  /** The closed notice: the recipient's other agreements awaiting signature (unset or empty: none). */
  otherOpen?: string[] | null;
}

const NOT_SET = 'not yet set';

/**
 * "Tuesday, November 24, 2026, 5:00 PM ET" (common/when.ts: every e-mail and text view says it so);
 * `none` when there is no instant.
 */
export function formatInstant(iso: string | null, none = NOT_SET): string {
  if (!iso) return none;
  return Number.isNaN(Date.parse(iso)) ? iso : inWords(iso);
}

/** A calendar date (YYYY-MM-DD, no time of day): "Tuesday, November 24, 2026". */
export function formatDate(date: string | null): string {
  if (!date) return NOT_SET;
  // The one date reader (common/when.ts) decides what is a calendar date.
  const day = readWhen(date.slice(0, 10), { dateOnly: true });
  return 'problem' in day ? date : dateInWords(day.date);
}

// The workflow writes instants into reasons as ISO-8601 UTC ("Initiation was due by 2026-11-25T22:00:00.000Z");
// a reader gets them in New York time in words.
const ISO_INSTANT = /\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z\b/g;

/** `text` with every ISO-8601 UTC instant in it put in words (formatInstant). */
export function instantsInWords(text: string): string {
  return text.replace(ISO_INSTANT, (iso) => formatInstant(iso));
}

/** `text` ending as a sentence does: its own `.`, `!`, `?` (or one inside closing quotes) kept, else a `.`. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]["')\]]*$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** "1 researcher", "3 researchers": a number and its noun. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "Ann", "Ann and Bo", "Ann, Bo and Cy". */
export function joinWords(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "Registered Tier", "Registered and Controlled Tiers". */
export function tiersInWords(tiers: readonly Tier[]): string {
  const names = tiers.map((t) => t.charAt(0).toUpperCase() + t.slice(1));
  if (names.length === 0) return 'no tier';
  return `${joinWords(names)} ${names.length === 1 ? 'Tier' : 'Tiers'}`;
}

const INSTANTS = [
  'receivedAt',
  'initiationDueBy',
  'initiatedAt',
  'nextReminderAt',
  'remindersPausedUntil',
  'nextStatusUpdateAt',
  'executedAt',
  'instructionsDueBy',
  'instructionsSentAt',
  'endedAt',
] as const;

/** The instants of things that happen (the others are dates fixed ahead, due or planned). */
const HAPPENINGS = ['initiatedAt', 'executedAt', 'instructionsSentAt', 'endedAt'] as const;

/**
 * Where the agreement stands, in one or two sentences a requester can read; `official` names the
 * signing official as the reader should see them (the mail: name and title; the status page: "your
 * institution's signing official").
 */
export function progress(s: AgreementSnapshot, official: string, now: Date): string {
  // A request recovered from a mailbox can be past its deadline on arrival: never promise a past date.
  const late = s.initiationDueBy !== null && Date.parse(s.initiationDueBy) <= now.getTime();
  const initiation = !late
    ? `We will send the agreement to ${official} by ${formatInstant(s.initiationDueBy)}.`
    : s.policy.initiation === 'auto'
      ? `We are sending the agreement to ${official} now.`
      : `We will send the agreement to ${official} as soon as we can.`;
  const stages: Record<Stage, string> = {
    'awaiting-initiation': initiation,
    // A pause (`pause-reminders`) is said: a trial's status page promised follow-ups every 14 days
    // beside a next one weeks away.
    'awaiting-signature':
      s.remindersPausedUntil && Date.parse(s.remindersPausedUntil) > now.getTime()
        ? `We sent the agreement to ${official} on ${formatInstant(s.initiatedAt)}. Our follow-ups with ` +
          `them are paused until ${formatInstant(s.remindersPausedUntil)}, then every ` +
          `${s.policy.reminderEveryDays} days until it is signed.`
        : `We sent the agreement to ${official} on ${formatInstant(s.initiatedAt)}, and we follow up with ` +
          `them every ${s.policy.reminderEveryDays} days until it is signed.`,
    executed: `The agreement was signed on ${formatDate(s.signedOn)}.`,
    'instructions-sent': `The agreement was signed on ${formatDate(s.signedOn)}.`,
    completed: `The agreement was signed on ${formatDate(s.signedOn)}.`,
    cancelled: 'The request was cancelled.',
    declined: 'The institution declined the agreement.',
    'not-needed': 'No new agreement is needed.',
    renewed: `The agreement was signed on ${formatDate(s.signedOn)} and renewed by ${s.renewedBy ?? 'a new agreement'}.`,
    lapsed: `The agreement ended on ${formatDate(s.expiresOn ?? null)} and was not renewed.`,
  };
  return stages[s.stage];
}

/**
 * The address to register with, in words: "your institutional address (ann@uw.edu)", or, for a
 * requester whose address is not at the institution's domain, never calling it institutional.
 */
function useAddress(email: string, domain: string): string {
  if (atDomain(email, [domain])) return `your institutional address (${email})`;
  return `an address at ${domain}, your institution's domain (${email} is not one)`;
}

function personName(p: Person): string {
  return p.name.trim() || p.email;
}

/**
 * The view object for one message about agreement `s` (the request's own snapshot, or the records'
 * one). Values are raw here; the renderer escapes them for HTML.
 */
export function buildView(request: EmailRequest, s: AgreementSnapshot, ctx: ViewContext): View {
  const first = request.to[0];
  const recipient =
    first === undefined || typeof first === 'string'
      ? {
          name: 'All of Us access team',
          email: first === 'aou-signing-official' ? ctx.aouSigningOfficial : ctx.accessTeam,
        }
      : { name: personName(first), email: first.email };
  // A message to one of several officials greets that official; every other message names the first.
  const official = officialsOf(s).find((o) => sameEmail(o.email, recipient.email)) ?? s.signingOfficial;
  const officialName = personName(official);
  const nameAndTitle = official.title ? `${officialName} (${official.title})` : officialName;

  const agreement: View = {};
  for (const [key, value] of Object.entries(s as Record<string, unknown>)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
      agreement[key] = value as string | number | boolean | null;
  }
  // What has not happened yet is "not yet"; "not yet set" is for dates still to be fixed.
  for (const key of INSTANTS)
    agreement[key] = formatInstant(
      s[key],
      (HAPPENINGS as readonly string[]).includes(key) ? 'not yet' : NOT_SET,
    );
  // A receipt typed as a date reads as that date (common/when.ts receivedInWords).
  agreement.receivedAt = receivedInWords(s.receivedAt);
  agreement.signedOn = formatDate(s.signedOn);
  // An agreement's end date (issue 18): "Tuesday, June 1, 2027", or "no end date".
  agreement.expiresOn = s.expiresOn ? formatDate(s.expiresOn) : 'no end date';
  agreement.hasEndDate = Boolean(s.expiresOn);
  // A package that reached the official after a cancel or decline leaves the agreement not initiated.
  agreement.initiated = Boolean(s.initiatedAt);
  agreement.documentRef = s.documentRef ?? 'none';
  agreement.kind = s.kind === 'amendment' ? 'amendment' : s.renews ? 'renewal' : 'new agreement';
  agreement.tiers = tiersInWords(s.tiers);

  const extra: View = { ...(request.extra ?? {}) };
  // The term's lapse (workflows/term.ts): its YYYY-MM-DD in words, as the end date.
  if (typeof extra.lapsedOn === 'string') extra.lapsedOn = formatDate(extra.lapsedOn);
  const reason = request.extra?.reason ?? s.endReason;

  return {
    agreement,
    institution: { name: s.institution.name, domain: s.institution.domain },
    tiers: tiersInWords(s.tiers),
    official: { name: officialName, email: official.email, title: official.title ?? '', nameAndTitle },
    requesters: joinWords(s.requesters.map(personName)),
    recipient: { ...recipient, useAddress: useAddress(recipient.email, s.institution.domain) },
    closedAs:
      request.extra?.stage === 'declined' ? 'your institution declined it' : 'the request was cancelled',
    policy: { ...s.policy, termWarningDays: (s.policy.termWarningDays ?? []).join(', ') },
    extra,
    // Every template ends a sentence with it: a reason typed without its full stop gets one.
    reason: sentence(
      reason === null || reason === undefined || reason === ''
        ? 'no reason was given'
        : instantsInWords(String(reason)),
    ),
    // What the access team does about it, where dura knows (a trial's team corrected the official of a
    // bounced package and waited for a package that only `dura initiate` sends).
    nextStep: nextStepFor(String(reason ?? ''), s.agreementId),
    // To a requester, every official the agreement went to (a trial's requester heard of one of two).
    progress: progress(
      s,
      officialsOf(s).some((o) => sameEmail(o.email, recipient.email))
        ? nameAndTitle
        : joinWords(officialsOf(s).map((o) => (o.title ? `${personName(o)} (${o.title})` : personName(o)))),
      ctx.now,
    ),
    otherOpen: ctx.otherOpen?.length
      ? { ids: joinWords(ctx.otherOpen), one: ctx.otherOpen.length === 1 }
      : null,
    // A renewal (issue 18): the id of the agreement it renews, or null.
    renews: s.renews ?? null,
    registration: registrationView(request.extra, ctx.links, { instant: formatInstant, date: formatDate }),
    registered: alreadyRegisteredView(ctx.stepsDone ?? null, formatDate),
    links: { ...ctx.links },
    accessTeam: { email: ctx.accessTeam },
    aouSigningOfficial: { email: ctx.aouSigningOfficial },
    today: dateInWords(ctx.now),
    // Templates show it with {{#if statusLink}}: null in every message that carries none.
    statusLink: ctx.statusLink
      ? {
          url: ctx.statusLink.url,
          until: dateInWords(ctx.statusLink.expiresAt),
          // A renewal's requesters never asked for it (issue 18).
          what: s.renews ? "your institution's renewal" : 'your request',
        }
      : null,
  };
}

/** The access team's next step for an escalation's reason (workflows/mail.ts `undeliverable`), or null. */
function nextStepFor(reason: string, agreementId: string): string | null {
  const failed = /^The (\S+) message could not be delivered: (?:refused (\S+?):)?/.exec(reason);
  if (!failed) return null;
  const bad = failed[2] ?? '<the address refused>';
  switch (failed[1]) {
    case 'initiation-package':
      return (
        `correct the official's address (dura set-official ${agreementId} --name "…" --email …), then send ` +
        `the package again: dura initiate ${agreementId}. Until then nothing goes out, and the initiation ` +
        'deadline keeps running.'
      );
    case 'registration-instructions':
      return `send them to the requester's right address: dura registration resend ${agreementId} ${bad} --to …`;
    case 'request-received':
    case 'status-update':
    case 'executed':
      return (
        `correct the requester's address: dura add-requester ${agreementId} --name "…" --email …, then ` +
        `dura remove-requester ${agreementId} --email ${bad}. Later messages go to the new address.`
      );
    default:
      return null;
  }
}
