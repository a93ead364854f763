/**
 * A personal e-mail provider's domain named as an institution's (a trial's form for `gmail.com`: its
 * "agreement" gmail-com-1 went to the requester herself as official, and the next stranger at gmail.com
 * joined it; executed, it would have covered every gmail.com address). The providers are the
 * `email-providers` package's whole list (8,760 free and disposable providers: its common list of 355
 * lacked googlemail.com and hotmail.co.uk, a second trial found). Two kinds of domain on it pass: one the
 * Registered Institutions list has (the access team's word), and one under an academic suffix
 * (`nus.edu.sg` is on it).
 */
import { normalizeDomain } from '../common/agreement';
import { isProviderDomain } from '../common/unlistable-domain';

/**
 * Why `domain` cannot be an institution's, after the field's name (`--domain: …`), or null. Reads the
 * registry only for a provider's domain.
 */
export async function personalDomainProblem(
  registry: { institutionByDomain(domain: string): Promise<unknown> },
  domain: string,
): Promise<string | null> {
  const typed = normalizeDomain(domain);
  if (!(await isPersonalDomain(registry, typed))) return null;
  return (
    `${typed} is a personal e-mail provider's, not an institution's: name the institution's own domain ` +
    `(the requester may still write from ${typed})`
  );
}

/** Whether `domain` (or the domain it is under) is a personal provider's, as personalDomainProblem reads it. */
export async function isPersonalDomain(
  registry: { institutionByDomain(domain: string): Promise<unknown> },
  domain: string,
): Promise<boolean> {
  const typed = normalizeDomain(domain);
  return isProviderDomain(typed) && !(await registry.institutionByDomain(typed));
}

/**
 * "Am I covered?"'s next step for an address at a personal provider that nothing covers, on the web and
 * from `dura check` alike: no request for the provider's domain.
 */
export function personalNextStep(domain: string): string {
  return (
    `${domain} is a personal e-mail provider's domain, not an institution's: check your ` +
    "institution's address, or submit a DURA request naming your institution's own domain."
  );
}
