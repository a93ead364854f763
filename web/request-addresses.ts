/**
 * What the request form refuses of the addresses and domain typed, beside each field, before anything
 * is sent (the researcher can still fix them there): an address or domain at no top-level domain (no
 * mail would arrive: a trial's uiowa.eud), and a personal e-mail provider's domain named as the
 * institution's (a trial's gmail.com became an "institution" that strangers joined).
 */
import type { AgreementRequest } from '../common/agreement';
import { unknownTopLevel } from '../common/address-notes';
import { isPersonalDomain } from '../client/personal-mail';

/** The form's issues (path and message), none when all is well; reads the registry for a provider's domain. */
export async function addressIssues(
  registry: { institutionByDomain(domain: string): Promise<unknown> },
  request: AgreementRequest,
): Promise<Array<{ path: string; message: string }>> {
  const domain = request.institution.domain;
  // Each names its field: the summary at the top lists them together (a trial saw one sentence thrice).
  const nowhere = (
    [
      ['institution.domain', `x@${domain}`, "your institution's domain"],
      ['requester.email', request.requester.email, 'your e-mail address'],
      ['signingOfficial.email', request.signingOfficial.email, "the signing official's e-mail address"],
    ] as const
  ).flatMap(([path, email, what]) => {
    const tld = unknownTopLevel(email);
    return tld
      ? [
          {
            path,
            message: `Check the spelling of ${what}: .${tld} is no top-level domain, so no mail would arrive`,
          },
        ]
      : [];
  });
  if (nowhere.length) return nowhere;
  if (!(await isPersonalDomain(registry, domain))) return [];
  return [
    {
      path: 'institution.domain',
      message: `Enter your institution's own domain: ${domain} is a personal e-mail provider's (your address may still be at ${domain})`,
    },
  ];
}
