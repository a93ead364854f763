/**
 * The personal status link in a requester's e-mail (issue 16): which messages carry one, and making it
 * at render time (common/status-link.ts signs it). The workflow knows nothing of links: the mailer makes
 * one for each message it renders, so the link in a message is as fresh as the message.
 */
import { sameEmail, type AgreementSnapshot } from '../../common/agreement';
import {
  signStatusLink,
  statusLinkExpiresAt,
  statusLinkUrl,
  type StatusLinkClaim,
} from '../../common/status-link';
import type { EmailKind, EmailRequest } from '../interfaces';

/** How the mailer makes links: DURA_WEB_URL, DURA_LINK_DAYS and the key (statusLinkKey, read on first use). */
export interface StatusLinkSettings {
  /** The web pages' public base URL, e.g. `https://dura.example.org`. */
  baseUrl: string;
  /** Whole days a link works, 1–3650. */
  days: number;
  /** The HMAC key; called for each link (memoize it), may throw (an unreadable key file: retried). */
  key: () => Uint8Array;
}

/** A link made for one message: its address, and when it stops working. */
export interface PersonalLink {
  url: string;
  expiresAt: Date;
}

/**
 * The kinds written to a requester about their agreement. Not the official's (initiation-package,
 * reminder, closed-notice), not the access team's (escalation, digest), and not not-needed: that request
 * has no agreement to show.
 */
const REQUESTER_KINDS: readonly EmailKind[] = [
  'request-received',
  'status-update',
  'executed',
  'registration-instructions',
  'registration-nudge',
  'cancelled',
  'declined',
];

/**
 * Whom a message's link is for: the one addressee, when the message is a requester's kind and that
 * addressee is one of the agreement's requesters, or the registration's own address its instructions
 * and nudges go to; else null (no link).
 */
export function statusLinkClaim(request: EmailRequest, s: AgreementSnapshot): StatusLinkClaim | null {
  if (!REQUESTER_KINDS.includes(request.kind) || s.stage === 'not-needed') return null;
  const [to, ...others] = request.to;
  if (others.length > 0 || to === undefined || typeof to === 'string') return null;
  const requester = s.requesters.find((r) => sameEmail(r.email, to.email));
  if (requester) return { agreementId: s.agreementId, email: requester.email };
  // A registration's own mail to the address its instructions were resent to (`dura registration
  // resend --to`): the web page takes that address by its registration.
  const registrationOf = request.extra?.requesterEmail;
  const ownMail = request.kind === 'registration-instructions' || request.kind === 'registration-nudge';
  return ownMail && typeof registrationOf === 'string' && sameEmail(registrationOf, to.email)
    ? { agreementId: s.agreementId, email: to.email.trim().toLowerCase() }
    : null;
}

/** The link for the message, signed at `now`, or null when it carries none (statusLinkClaim). */
export async function personalLink(
  settings: StatusLinkSettings | undefined,
  request: EmailRequest,
  s: AgreementSnapshot,
  now: Date,
): Promise<PersonalLink | null> {
  const claim = settings && statusLinkClaim(request, s);
  if (!settings || !claim) return null;
  const token = await signStatusLink(claim, settings.key(), { days: settings.days, now });
  return {
    url: statusLinkUrl(settings.baseUrl, token),
    expiresAt: statusLinkExpiresAt({ days: settings.days, now }),
  };
}
