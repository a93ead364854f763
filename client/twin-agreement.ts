/**
 * A warning on a request that would start an agreement for a domain while another domain's agreement
 * is in process for the same institution, by its name or its signing official: a trial's `epsu.edu`,
 * typed for `eps.edu`, started a second agreement and sent the official a second package with no word
 * but the official being "not at epsu.edu". Accepted all the same: one institution may have two
 * domains (then `dura institutions add-domain` joins them), and one office may sign for several.
 */
import { normalizeDomain, sameEmail, type AgreementRequest } from '../common/agreement';
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
  const twin = inProcess.find((a) => sameName(a) || sameOfficial(a));
  if (!twin) return null;
  const what = sameName(twin) ? 'the same institution name' : 'the same signing official';
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
