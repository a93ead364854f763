/**
 * Coverage: is an e-mail address covered by the Registered Institutions list for the tiers asked, by
 * which rule, and what is the person's next step. The seed's step 1 (seeds/000, "How to Obtain a DURA
 * with All of Us") as one pure function (no I/O), used by `dura check`, request triage and the web pages:
 *
 *   "Check whether your institution is listed and what level of access it has. If your institution is
 *   listed and has access to your preferred data tier(s) (Registered and/or Controlled), create an
 *   account. If the institution is listed but does not have access to the Controlled Tier, you may
 *   request it … If your institution is not listed or requires individual agreements, submit a DURA
 *   request."
 *
 * The records side (which institution a domain belongs to, its likely parent) is
 * activities/records/coverage.ts (`checkCoverage`).
 */
import { getDomain } from 'tldts';
import { z } from 'zod';
import { normalizeDomain, tiersAsked, type Stage, type Tier } from './agreement';

export { tiersAsked } from './agreement';
import { asciiEmail } from './idn';

/**
 * Who a tier of an institution covers (docs/design.md, "Institutions, coverage and agreements"):
 * `domains`, any address at one of the institution's domains; `individual`, only the addresses listed
 * (the seed's "institution requires individual agreements").
 */
export const MEMBERSHIP_RULES = ['domains', 'individual'] as const;
export type MembershipRule = (typeof MEMBERSHIP_RULES)[number];

/** What coverage needs of an institution on the list (activities/records/registry.ts reads it whole). */
export interface CoverageInstitution {
  /** Its id: the primary e-mail domain, lower-cased. */
  id: string;
  name: string;
  /** All its e-mail domains, lower-cased, the id included. */
  domains: string[];
  /** The tiers it is listed for; a tier absent is not listed. */
  tiers: Array<{
    tier: Tier;
    rule: MembershipRule;
    addresses: Array<{ email: string; lapsedOn?: string | null }>;
    /** The day the tier lapsed (its agreement's end date passed unrenewed, issue 18); absent: in force. */
    lapsedOn?: string | null;
  }>;
}

export interface CoverageInput {
  /** The address asked about (any case). */
  email: string;
  /** The tiers the person wants; default the Registered Tier. Controlled implies registered. */
  tiers?: readonly Tier[];
  /** The institution the address's domain belongs to (an exact domain match), or null: not listed. */
  institution: CoverageInstitution | null;
  /** When not listed: a listed institution sharing the domain's registrable domain (med.uw.edu → uw.edu). */
  likelyParent?: { id: string; name: string } | null;
}

export type NextStep = 'create-account' | 'request-controlled' | 'submit-request';

export interface TierCoverage {
  tier: Tier;
  covered: boolean;
  /** `domain`: the tier's rule is domains; `address`: the address is listed; null: not covered. */
  because: 'domain' | 'address' | null;
  /** The tier's rule at the institution; null when the institution is not listed for the tier. */
  rule: MembershipRule | null;
  /**
   * The day the tier (or, rule `individual`, the address) lapsed, YYYY-MM-DD: its agreement's end date
   * passed unrenewed, so it covers no one until a renewal is executed (issue 18). Absent: not lapsed.
   */
  lapsedOn?: string;
}

export interface Coverage {
  /** The address, trimmed and lower-cased. */
  email: string;
  /** Its domain, lower-cased. */
  domain: string;
  institution: { id: string; name: string } | null;
  /** The tiers asked about, in TIERS order (registered first). */
  tiers: TierCoverage[];
  next: NextStep;
  /** The next step in words, saying why. */
  nextStep: string;
  likelyParent: { id: string; name: string } | null;
  /**
   * The agreement a DURA request from this address would join, in process as the records last saw it
   * (set by checkCoverage; null: none, or the address is covered). Its next step then says so.
   */
  inProcess?: AgreementInProcess | null;
}

/** An agreement in process: awaiting initiation or signature. */
export interface AgreementInProcess {
  agreementId: string;
  stage: Stage;
  /** When its first request came in (ISO-8601). */
  receivedAt: string;
  /** Whether the address asked about is already one of its requesters (it need not ask again). */
  requester: boolean;
  /** The tiers it is for. */
  tiers: Tier[];
  /**
   * The tiers asked about that a request cannot add to it: it has gone to the signing official
   * without them (workflows/handlers.ts `validateJoin`). Asked for once it completes; empty: it joins.
   */
  laterTiers: Tier[];
}

const EMAIL = z.email();

/** The address trimmed and lower-cased with its domain, or null when it is not an e-mail address. */
export function parseEmail(email: string): { email: string; domain: string } | null {
  const address = asciiEmail(email);
  if (!EMAIL.safeParse(address).success) return null;
  return { email: address, domain: normalizeDomain(address.slice(address.lastIndexOf('@') + 1)) };
}

/**
 * The registrable domain (the public suffix plus one label, from the Public Suffix List by tldts):
 * med.uw.edu → uw.edu, cs.ox.ac.uk → ox.ac.uk; null for a name with none (localhost, an IP address).
 */
export function registrableDomain(domain: string): string | null {
  return getDomain(normalizeDomain(domain)) ?? null;
}

/**
 * Whether the address is covered for each tier asked, and the next step. Rules:
 * - a tier with the rule `domains` covers any address whose domain is exactly one of the institution's
 *   domains, as the All of Us Researcher Workbench matches them (med.uw.edu is not covered by uw.edu:
 *   it is its own entry); `individual` covers only the addresses listed for the tier;
 * - next: every tier asked covered → `create-account`; the Registered Tier covered by the domain rule
 *   and the Controlled Tier asked but not listed → `request-controlled` (an amendment of the
 *   institution's agreement); otherwise (not listed, or individual agreements required) →
 *   `submit-request`.
 * Throws when `email` is not an e-mail address (see parseEmail).
 */
export function coverage(input: CoverageInput): Coverage {
  const parsed = parseEmail(input.email);
  if (!parsed) throw new Error(`${input.email.trim()}: not an e-mail address`);
  const { email, domain } = parsed;
  const found = input.institution;
  const atDomain = found !== null && found.domains.some((d) => normalizeDomain(d) === domain);
  const institution = found && atDomain ? found : null;

  const tierCoverage = (tier: Tier): TierCoverage => {
    const listed = institution?.tiers.find((t) => t.tier === tier);
    if (!listed) return { tier, covered: false, because: null, rule: null };
    const lapsed = (lapsedOn: string) => ({
      tier,
      covered: false,
      because: null,
      rule: listed.rule,
      lapsedOn,
    });
    if (listed.lapsedOn) return lapsed(listed.lapsedOn);
    if (listed.rule === 'domains') return { tier, covered: true, because: 'domain', rule: listed.rule };
    const address = listed.addresses.find((a) => a.email.trim().toLowerCase() === email);
    if (address?.lapsedOn) return lapsed(address.lapsedOn);
    return { tier, covered: !!address, because: address ? 'address' : null, rule: listed.rule };
  };
  const tiers = tiersAsked(input.tiers).map(tierCoverage);
  const registered = tierCoverage('registered');
  const controlled = tiers.find((t) => t.tier === 'controlled');

  let next: NextStep = 'submit-request';
  if (tiers.every((t) => t.covered)) next = 'create-account';
  else if (registered.because === 'domain' && controlled?.rule === null) next = 'request-controlled';

  const likelyParent = institution ? null : (input.likelyParent ?? null);
  return {
    email,
    domain,
    institution: institution ? { id: institution.id, name: institution.name } : null,
    tiers,
    next,
    nextStep: describeNext(next, { email, domain, institution, tiers, likelyParent }),
    likelyParent,
  };
}

const TIER_NAMES: Record<Tier, string> = { registered: 'Registered Tier', controlled: 'Controlled Tier' };

/** Tiers as people name them: `the Registered Tier and the Controlled Tier`. */
export function tierNames(tiers: readonly Tier[]): string {
  return tiers.map((t) => `the ${TIER_NAMES[t]}`).join(' and ');
}

/**
 * The key of the agreement a request from the covered-or-not address would start or join (as
 * client/agreements.ts triages it): the address for an individual agreement, else the institution's id,
 * or the domain when it is not listed. Null when the address is covered: a request starts nothing.
 */
export function agreementKeyOf(c: Coverage): string | null {
  if (c.next === 'create-account') return null;
  return needsIndividualAgreement(c) ? c.email : (c.institution?.id ?? c.domain);
}

/** Whether a tier asked is not covered because its rule is individual: the request is the address's own. */
export function needsIndividualAgreement(c: Pick<Coverage, 'tiers'>): boolean {
  return c.tiers.some((t) => !t.covered && t.rule === 'individual');
}

const IN_PROCESS_WORDS: Partial<Record<Stage, string>> = {
  'awaiting-initiation': 'about to go to the signing official',
  'awaiting-signature': 'with the signing official for signature',
};

/**
 * The coverage with the agreement in process that a request would join (seeds/000: "submit a DURA
 * request" still holds, but the person is told it joins that agreement rather than starting one).
 */
export function withAgreementInProcess(
  c: Coverage,
  found: Omit<AgreementInProcess, 'laterTiers'> | null,
): Coverage {
  if (!found || c.next === 'create-account') return { ...c, inProcess: null };
  const initiated = found.stage !== 'awaiting-initiation';
  const laterTiers = initiated
    ? c.tiers.filter((t) => !t.covered && !found.tiers.includes(t.tier)).map((t) => t.tier)
    : [];
  const inProcess: AgreementInProcess = { ...found, laterTiers };
  const whose = `for ${needsIndividualAgreement(c) ? c.email : (c.institution?.name ?? c.domain)}`;
  const where = IN_PROCESS_WORDS[found.stage] ?? found.stage;
  const which = `(${found.agreementId}, ${where})`;
  const names = tierNames;
  const joinNow = joinableTiers(c, inProcess);
  const later = laterTiers.length
    ? `${names(laterTiers)} can be requested once it is signed (it is for ${names(found.tiers)} only).`
    : '';
  const nextStep = found.requester
    ? `${c.email} already asked: the agreement ${whose} is in process ${which}, and you will hear from ` +
      `the access team as it moves, with the registration steps once it is signed.${later && ` ${capitalized(later)}`}`
    : !laterTiers.length
      ? `${c.nextStep} An agreement ${whose} is already in process ${which}: your request joins it, and ` +
        'you will hear from the access team as it moves.'
      : joinNow.length
        ? `An agreement ${whose} is already in process ${which}: a request for ${names(joinNow)} joins it ` +
          `now, and ${later}`
        : `An agreement ${whose} is already in process ${which}: ${later}`;
  return { ...c, inProcess, nextStep };
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Why a request with these tiers would not join the agreement in process, in the next step's words, or
 * null: a tier it went to the signing official without (its workflow's `validateJoin` would refuse the
 * join). Checked by `dura request` and the web form before anything is sent.
 */
export function joinRefusal(c: Coverage): string | null {
  // Its own requester too: asking it for another tier after initiation is refused all the same (a trial's
  // web form showed the workflow's refusal as it came).
  return c.inProcess?.laterTiers.length ? c.nextStep : null;
}

/** `joinRefusal` as it follows a field's name (`tiers: an agreement for …`), or null. */
export function joinRefusalAfterField(c: Coverage): string | null {
  const refusal = joinRefusal(c);
  return refusal && refusal.charAt(0).toLowerCase() + refusal.slice(1);
}

/** The tiers asked and not covered that a request can join the agreement in process for now. */
export function joinableTiers(c: Pick<Coverage, 'tiers'>, inProcess: AgreementInProcess): Tier[] {
  return c.tiers.filter((t) => !t.covered && !inProcess.laterTiers.includes(t.tier)).map((t) => t.tier);
}

function describeNext(
  next: NextStep,
  c: {
    email: string;
    domain: string;
    institution: CoverageInstitution | null;
    tiers: TierCoverage[];
    likelyParent: { id: string; name: string } | null;
  },
): string {
  const names = (tiers: TierCoverage[]) => tierNames(tiers.map((t) => t.tier));
  const request = 'submit a DURA request, with the name of a signing official at your institution';
  if (!c.institution) {
    const parent = c.likelyParent
      ? ` ${c.domain} may belong to ${c.likelyParent.name} (${c.likelyParent.id}), which is listed: ` +
        `a request for ${c.domain} says so to the access team, who add ${c.domain} to it if it is theirs.`
      : '';
    return `${c.domain} is not on the Registered Institutions list: ${request}.${parent}`;
  }
  const who = `${c.institution.name} (${c.institution.id})`;
  if (next === 'create-account') {
    const by = (t: TierCoverage) =>
      `the ${TIER_NAMES[t.tier]} (${t.because === 'address' ? `${c.email} is listed` : 'any address at its domains'})`;
    return `${who} is listed for ${c.tiers.map(by).join(' and ')}: create an account.`;
  }
  if (next === 'request-controlled') {
    return (
      `${who} is listed for the Registered Tier but does not have access to the Controlled Tier: ` +
      `request the Controlled Tier (an amendment of its agreement).`
    );
  }
  const lapsed = c.tiers.filter((t) => t.lapsedOn);
  if (lapsed.length) {
    const on = lapsed.map((t) => `the ${TIER_NAMES[t.tier]} lapsed on ${t.lapsedOn}`).join(' and ');
    return (
      `${who}: its agreement for ${on} (its end date passed unrenewed): ` +
      `submit a DURA request (renewal), or ask the access team to renew it.`
    );
  }
  const individual = c.tiers.filter((t) => !t.covered && t.rule === 'individual');
  const unlisted = c.tiers.filter((t) => !t.covered && t.rule === null);
  const why = [
    ...(individual.length
      ? [`requires individual agreements for ${names(individual)} and ${c.email} is not listed`]
      : []),
    ...(unlisted.length ? [`is not listed for ${names(unlisted)}`] : []),
  ].join(', and ');
  const kind = individual.length ? ' for an individual agreement' : '';
  return `${who} ${why}: submit a DURA request${kind}, with the name of a signing official at your institution.`;
}
