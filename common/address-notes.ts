/**
 * Warnings on the addresses a request names, for the person who typed it (a trial's `--official-email
 * olga@kent.eud` went out with no word, and reminders would have followed it every 14 days): an address
 * whose top-level domain does not exist (tldts: the Public Suffix List; the names RFC 2606 reserves for
 * tests and examples pass), and a signing official not at the institution's domains. Accepted all the
 * same: an official may sign from another domain, and the access team corrects one with set-official.
 * The weekly digest checks each open agreement's officials the same way (officialChecks), since
 * nothing else keeps such an address in sight.
 */
import { parse } from 'tldts';
import { normalizeDomain, type AgreementRequest } from './agreement';
import { registrableDomain } from './coverage';

const RESERVED = new Set(['test', 'example', 'invalid', 'localhost']);

/** The last label of `email`'s domain when no registry of top-level domains knows it, else null. */
export function unknownTopLevel(email: string): string | null {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  const tld = domain.slice(domain.lastIndexOf('.') + 1);
  const parsed = parse(domain);
  return parsed.isIcann || parsed.isPrivate || RESERVED.has(tld) ? null : tld;
}

/** Whether `email` is at one of `domains` or a subdomain of theirs (an office's own: osp.uw.edu). */
function underDomains(email: string, domains: readonly string[]): boolean {
  const own = registrableDomain(email.slice(email.lastIndexOf('@') + 1));
  return domains.some((d) => (registrableDomain(d) ?? normalizeDomain(d)) === own);
}

/**
 * The warnings (`<field>: <address> …`, one per problem) and whether the official is outside `domains`
 * (the institution's: the list's, else the request's own; `withOfficial` false: a request that needs no
 * agreement, whose official hears nothing).
 */
export function addressNotes(
  request: Pick<AgreementRequest, 'institution' | 'requester' | 'signingOfficial'>,
  domains: readonly string[],
  withOfficial = true,
): { notes: string[]; officialOutside: boolean } {
  const notes: string[] = [];
  const official = request.signingOfficial.email.trim();
  // The domain itself (the web form refuses it; a trial's `dura request --domain kent.eud` said nothing).
  const domainTld = unknownTopLevel(`x@${normalizeDomain(request.institution.domain)}`);
  if (domainTld)
    notes.push(
      `institution.domain: ${normalizeDomain(request.institution.domain)}: .${domainTld} is no top-level ` +
        `domain (mistyped?); an agreement under it would list a domain no researcher writes from`,
    );
  for (const [field, email] of [
    ['requester.email', request.requester.email.trim()],
    ...(withOfficial ? ([['signingOfficial.email', official]] as const) : []),
  ] as const) {
    const tld = unknownTopLevel(email);
    if (tld)
      notes.push(
        `${field}: ${email}: .${tld} is no top-level domain (mistyped?); mail to it will not arrive`,
      );
  }
  // The requester named as the signing official too (a researcher filling in both with their own
  // address): the package would go to them, who cannot sign for the institution.
  if (withOfficial && official.toLowerCase() === request.requester.email.trim().toLowerCase())
    notes.push(
      `signingOfficial.email: ${official} is the requester's own address: the package should go to the ` +
        'person who signs for the institution (dura set-official corrects it)',
    );
  const officialOutside = withOfficial && !underDomains(official, domains);
  if (officialOutside)
    notes.push(
      `signingOfficial.email: ${official} is not at ${domains.join(', ')}: check it (dura set-official corrects an agreement's official)`,
    );
  return { notes, officialOutside };
}

/**
 * The digest's checks on an agreement's signing officials, one line per problem (`a signing official's
 * address …: <address> (…)`): at no top-level domain, or not at (or under) `domains`, the institution's.
 */
export function officialChecks(
  officials: readonly { email: string }[],
  domains: readonly string[],
): string[] {
  return officials.flatMap(({ email }) => {
    const tld = unknownTopLevel(email);
    if (tld) return [`a signing official's address is at no top-level domain: ${email} (.${tld})`];
    return underDomains(email, domains)
      ? []
      : [
          `a signing official's address is not at the institution's domains: ${email} (${domains.join(', ')})`,
        ];
  });
}
