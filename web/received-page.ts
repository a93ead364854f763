/**
 * `GET /request/received`: the answer to a request sent from this browser (web/routes/request.ts), carried
 * by a signed cookie, not the URL (an individual agreement's id holds an address, and URLs end up in
 * logs), so reloading the page or going back sends nothing again.
 */
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tiersInWords } from '../activities/mail/view';
import type { JoinResult, Tier } from '../common/agreement';
import { OUTCOMES, outcomeWords } from './received-words';
import type { KeptByAgreement } from './request-kept';
import { sendPage, servedOverHttps, type WebContext } from './page';

/** The answer a request's POST hands to `GET /request/received`. */
export interface Received extends KeptByAgreement {
  agreementId: string;
  outcome: JoinResult['outcome'];
  tiers: Tier[];
  stage: JoinResult['stage'];
  /** The requester's address when it is not at the institution's domains, with those domains. */
  outside?: { email: string; domains: string[] };
  /** A new agreement's signing official not at the institution's domain: the address typed, that domain. */
  officialOutside?: { email: string; domain: string };
  /** Tiers asked that the institution is listed for already: a new agreement then adds the others. */
  listedFor?: Tier[];
  /** Triage held the package for the access team to look at first (patch `triage-holds`). */
  held?: true;
  /** The requester's address as typed, so a mistyped one can be seen (a trial's had no way to tell). */
  email?: string;
}

const RECEIVED_COOKIE = 'dura_received';
export const RECEIVED_PATH = '/request/received';

/** The received-page cookie's signing key: its own, derived from the status links' key (stable across restarts). */
export function receivedCookieSecret(linkKey: Uint8Array): Buffer {
  return createHmac('sha256', linkKey).update('dura web: request received cookie').digest();
}

/** The cookie's answer, or undefined when it is missing, forged or not one (a signed cookie from an older build). */
export function readReceived(req: FastifyRequest): Received | undefined {
  const raw = req.cookies[RECEIVED_COOKIE];
  const unsigned = raw ? req.unsignCookie(raw) : undefined;
  if (!unsigned?.valid || unsigned.value === null) return undefined;
  try {
    const r = JSON.parse(unsigned.value) as Partial<Received>;
    const valid =
      typeof r.agreementId === 'string' &&
      typeof r.outcome === 'string' &&
      r.outcome in OUTCOMES &&
      typeof r.stage === 'string' &&
      Array.isArray(r.tiers);
    return valid ? (r as Received) : undefined;
  } catch {
    return undefined;
  }
}

export function redirectToReceived(reply: FastifyReply, ctx: WebContext, answer: Received): FastifyReply {
  reply.setCookie(RECEIVED_COOKIE, JSON.stringify(answer), {
    path: RECEIVED_PATH,
    signed: true,
    httpOnly: true,
    sameSite: 'strict',
    secure: servedOverHttps(ctx),
    maxAge: 24 * 3600, // seconds: the page can be reloaded that day
  });
  return reply.redirect(RECEIVED_PATH, 303);
}

export function sendReceived(reply: FastifyReply, ctx: WebContext, answer: Received): Promise<FastifyReply> {
  const { agreementId, outcome, tiers, stage, listedFor } = answer;
  // The tiers the agreement is for: one the institution is listed for already is not asked again (a
  // trial's Controlled-only amendment read "Tiers asked for: Registered and Controlled Tiers").
  const known = tiers.filter((t) => t === 'registered' || t === 'controlled');
  const asked = known.filter((t) => !listedFor?.includes(t));
  return sendPage(reply, ctx, 'received', {
    // The timeline's first step as it stands: done, under way (a new agreement initiates at once, the
    // default policy, as `dura request` says), or to come (an agreement waiting for `dura initiate`).
    sent: stage !== 'awaiting-initiation' || answer.initiated,
    onItsWay: stage === 'awaiting-initiation' && (outcome === 'started' || answer.initiating) && !answer.held,
    held: answer.held,
    // A message goes now (started, joined, not needed); asked before: the next one as it moves.
    mailedTo: answer.email,
    mailedNow: outcome !== 'already-requested',
    title: 'Request received',
    section: 'request',
    accessTeam: ctx.config.ACCESS_TEAM_EMAIL,
    // Covered already (a requester whose address is elsewhere, so the form's own check could not tell):
    // no agreement, so no id (the request's is internal) and no timeline; the account is the next step.
    notNeeded: outcome === 'not-needed',
    workbench: ctx.links.workbench,
    agreementId,
    outcome: outcomeWords(answer),
    tiers: tiersInWords(asked.length && outcome !== 'not-needed' ? asked : known),
    officialNotUsed: answer.officialNotUsed,
    officialOutside: answer.officialOutside,
    institutionKept: answer.institutionKept,
    initiationLate: answer.initiationLate,
    outside: answer.outside && {
      email: answer.outside.email,
      domains: answer.outside.domains.join(' or '),
    },
  });
}
