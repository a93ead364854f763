/**
 * What the digest's templates see: a summary line, and one item per open agreement in the digest's
 * order, each with its dates in New York time and why it needs attention.
 */
import type { Attention, DigestRequest } from '../interfaces';
import { atDomain, officialsOf, sameEmail, type AgreementStatus } from '../../common/agreement';
import { STEP_WORDS, stepsLeft } from '../../common/registration';
import { count, formatInstant, joinWords, tiersInWords, type View } from './view';
import { dateInWords, receivedInWords } from '../../common/when';

const LABELS: Record<Attention, string> = { overdue: 'OVERDUE', stalled: 'STALLED', open: 'open' };

/** History events the access team should look at, and how the digest names them. */
const CHECKS: Record<string, string> = {
  'requester-outside-domain': "a requester's address is not at the institution's domains",
  'likely-parent': 'the domain may belong to a listed institution',
  'official-named': 'a joining request named another signing official',
  'initiation-held': 'held for you to look at',
};

/**
 * A check the access team has since settled, so the digest stops asking (a trial's digest kept asking
 * for an `add-domain` done and an official added):
 * - a requester flagged as outside the domains who is no requester now (`dura remove-requester`), or
 *   whose address is now at one of the institution's listed domains (the detail starts with it);
 * - a likely parent, once the agreement's domain is on the list (`institutions add-domain`);
 * - another official named by a joining request, once that address is one of its officials.
 */
function settled(s: AgreementStatus, h: { event: string; detail?: string }, listed?: string[]): boolean {
  const detail = h.detail ?? '';
  if (h.event === 'requester-outside-domain') {
    const email = detail.split(' ')[0]!;
    return !s.requesters.some((r) => sameEmail(r.email, email)) || Boolean(listed && atDomain(email, listed));
  }
  if (h.event === 'likely-parent') return Boolean(listed);
  if (h.event === 'initiation-held') return s.initiatedAt !== null;
  if (h.event === 'official-named') {
    const named = /<([^>]+)>/.exec(detail)?.[1];
    return Boolean(named && officialsOf(s).some((o) => sameEmail(o.email, named)));
  }
  return false;
}

/** Each requester by name, with the address where two share a name (a trial's "Mae Jemison and Mae Jemison"). */
function requesterNames(requesters: readonly { name: string; email: string }[]): string[] {
  const name = (p: { name: string; email: string }) => p.name.trim() || p.email;
  const shared = (p: { name: string; email: string }) =>
    requesters.filter((q) => name(q).toLowerCase() === name(p).toLowerCase()).length > 1;
  return requesters.map((p) => (shared(p) && p.name.trim() ? `${name(p)} <${p.email}>` : name(p)));
}

/** "3 open agreements: 1 overdue, 1 stalled", or "nothing open". */
export function digestSummary(request: DigestRequest): string {
  const { entries } = request;
  if (entries.length === 0) return 'nothing open';
  const overdue = entries.filter((e) => e.attention === 'overdue').length;
  const stalled = entries.filter((e) => e.attention === 'stalled').length;
  const notes = [overdue && `${overdue} overdue`, stalled && `${stalled} stalled`].filter(Boolean);
  return `${count(entries.length, 'open agreement')}${notes.length ? `: ${notes.join(', ')}` : ''}`;
}

export function buildDigestView(request: DigestRequest, ctx: { accessTeam: string }): View {
  const asOf = formatInstant(request.asOf);
  const summary = digestSummary(request);
  // `9.` and `10.` end in one column, and each item's lines start under its text (the text part).
  const width = String(request.entries.length).length;
  const agreements = request.entries.map(
    ({ attention, why, agreement: s, officialChecks, listedDomains }, i): View => {
      const official = s.signingOfficial;
      // A deadline already behind the digest's time is no "next" (a trial's overdue agreement read
      // "Next: initiation due by" a day gone, under a line saying it was due then).
      const past = (at: string | null | undefined) => Boolean(at && at < request.asOf);
      const next =
        s.stage === 'awaiting-initiation'
          ? past(s.initiationDueBy)
            ? `send the package: dura initiate ${s.agreementId}`
            : `initiation due by ${formatInstant(s.initiationDueBy)}`
          : s.remindersPausedUntil
            ? `reminders paused until ${formatInstant(s.remindersPausedUntil)}`
            : `reminder #${s.remindersSent + 1} ${past(s.nextReminderAt) ? 'was due' : 'due'} ${formatInstant(s.nextReminderAt)}`;
      return {
        number: String(i + 1).padStart(width),
        indent: ' '.repeat(width + 2),
        label: LABELS[attention],
        why: why ?? 'on track',
        agreementId: s.agreementId,
        institution: s.institution.name,
        domain: s.institution.domain,
        stage: s.stage,
        kind: s.kind === 'amendment' ? 'amendment' : s.renews ? `renewal of ${s.renews}` : 'new agreement',
        tiers: tiersInWords(s.tiers),
        receivedAt: receivedInWords(s.receivedAt),
        officialLabel: officialsOf(s).length > 1 ? 'Signing officials' : 'Signing official',
        official: official.title ? `${official.name} (${official.title})` : official.name,
        officialEmail: official.email,
        // Officials beyond the first, by name and address (the package and reminders go to each).
        moreOfficials: officialsOf(s)
          .slice(1)
          .map((o) => ({ text: `${o.name} <${o.email}>` })),
        requesters: joinWords(requesterNames(s.requesters)),
        remindersSent: s.remindersSent,
        next,
        // What triage or a joining request flagged for a person to look at (issue 14, items 2, 6 and 7).
        // Each once: a request joined twice (a file imported again) logs its check twice.
        checks: [
          ...new Set(
            s.history
              .filter((h) => CHECKS[h.event] && !settled(s, h, listedDomains))
              .map((h) => `${CHECKS[h.event]}: ${h.detail ?? ''}`)
              .concat(officialChecks ?? []),
          ),
        ].map((text) => ({ text })),
      };
    },
  );
  const registrations = (request.stalledRegistrations ?? []).map((r): View => ({
    requester: `${r.requester.name.trim() || r.requester.email} <${r.requester.email}>`,
    institution: r.institution.name,
    agreementId: r.agreementId,
    left: stepsLeft(r.steps)
      .map((step) => STEP_WORDS[step])
      .join(', '),
    instructionsSentAt: formatInstant(r.instructionsSentAt),
    escalatedAt: formatInstant(r.escalatedAt),
  }));
  const terms = (request.termsEnding ?? []).map((t): View => ({
    institution: t.individual ? `${t.individual}, ${t.institution.name}` : t.institution.name,
    agreementId: t.agreementId,
    tiers: tiersInWords(t.tiers),
    endsOn: dateInWords(t.expiresOn),
    renewal: t.renewal
      ? `its renewal ${t.renewal} is in process`
      : `no renewal yet: dura renew ${t.agreementId}`,
  }));
  return {
    digest: {
      summary,
      asOf,
      intro:
        agreements.length === 0
          ? `No agreement is open as of ${asOf}${terms.length ? '; below, the terms that end soon.' : ': nothing needs your attention this week.'}`
          : `As of ${asOf}, ${summary}. Overdue and stalled agreements come first.`,
    },
    agreements,
    // A list of one item or none: the table shows only when something is open.
    anyOpen: agreements.length ? [{}] : [],
    registrations,
    anyStalledRegistration: registrations.length ? [{}] : [],
    terms,
    anyTermEnding: terms.length ? [{}] : [],
    accessTeam: { email: ctx.accessTeam },
  };
}
