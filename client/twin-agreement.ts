/**
 * A warning on a request that would start an agreement for a domain while another domain's agreement
 * is in process for the same institution, by its name or its signing official: a trial's `epsu.edu`,
 * typed for `eps.edu`, started a second agreement and sent the official a second package with no word
 * but the official being "not at epsu.edu". Accepted all the same: one institution may have two
 * domains (then `dura institutions add-domain` joins them), and one office may sign for several.
 */
import { atDomain, normalizeDomain, sameEmail, type AgreementRequest } from '../common/agreement';
import { unknownTopLevel } from '../common/address-notes';
import { namesAnotherInstitution } from './join-notes';

/** An agreement in process as the records have it (RecordsStore.agreementsInProcess). */
export interface InProcess {
  agreementId: string;
  name: string;
  domain: string;
  officials: string[];
}

/** `institution.domain: <id> is in process for <name> under <domain> (…): …`, or null. */
export function twinNote(request: AgreementRequest, inProcess: readonly InProcess[]): string | null {
  const domain = normalizeDomain(request.institution.domain);
  // The domain's own agreement in process: the request joins it, nothing is started.
  if (inProcess.some((a) => normalizeDomain(a.domain) === domain)) return null;
  const sameName = (a: InProcess) => !namesAnotherInstitution(request, a.name);
  const sameOfficial = (a: InProcess) => a.officials.some((o) => sameEmail(o, request.signingOfficial.email));
  // Both addresses at that agreement's domain (a trial's "Kent College" under kentu.edu, with the
  // requester and the official at kent.edu, where kent.edu-1 was in process).
  const sameAddresses = (a: InProcess) =>
    atDomain(request.requester.email, [a.domain]) && atDomain(request.signingOfficial.email, [a.domain]);
  // The twin at the addresses' own domain first: another typo's agreement in process (kentt.edu-1)
  // matches by name too, and would send the access team to the mistyped domain.
  const twin = inProcess.find(sameAddresses) ?? inProcess.find((a) => sameName(a) || sameOfficial(a));
  if (!twin) return null;
  const what = sameName(twin)
    ? 'the same institution name'
    : sameOfficial(twin)
      ? 'the same signing official'
      : "the requester's and the official's addresses at its domain";
  // The agreement in process is the mistyped one when its domain is at no top-level domain (a trial's
  // kent.eud): then the advice is the other way round.
  const tld = unknownTopLevel(`x@${twin.domain}`);
  if (tld && !unknownTopLevel(`x@${domain}`))
    return (
      `institution.domain: ${twin.agreementId} is in process for ${twin.name} under ${twin.domain} (${what}), ` +
      `at no top-level domain (.${tld}): if that was mistyped for ${domain}, cancel ${twin.agreementId}`
    );
  return (
    `institution.domain: ${twin.agreementId} is in process for ${twin.name} under ${twin.domain} (${what}): ` +
    `if ${domain} is mistyped, cancel the agreement this starts and request under ${twin.domain}`
  );
}
