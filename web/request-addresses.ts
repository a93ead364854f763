/**
 * What the request form refuses of the addresses and domain typed, beside each field, before anything
 * is sent (the researcher can still fix them there): an address or domain at no top-level domain (no
 * mail would arrive: a trial's uiowa.eud), and a personal e-mail provider's domain named as the
 * institution's (a trial's gmail.com became an "institution" that strangers joined).
 */
import { unknownTopLevel } from '../common/address-notes';
import { isPersonalDomain } from '../client/personal-mail';

/**
 * The form's issues (path and message) with the domain and addresses typed, none when all is well:
 * those at no top-level domain, and a personal provider's domain (reading the registry, which may list
 * it). `refused`: paths the form refused otherwise, left out; the rest come with those problems, so a
 * researcher sees every problem at once (a trial fixed five, then met gmail.com).
 */
export async function addressIssues(
  registry: { institutionByDomain(domain: string): Promise<unknown> },
  typed: { domain?: string; requesterEmail?: string; officialEmail?: string },
  refused: ReadonlySet<string> = new Set(),
): Promise<Array<{ path: string; message: string }>> {
  const nowhere = [...topLevelIssues(typed, refused), ...ownAddressIssues(typed, refused)];
  const domain = typed.domain?.trim();
  const checkDomain =
    domain && !refused.has('institution.domain') && !nowhere.some((i) => i.path === 'institution.domain');
  if (!checkDomain || !(await isPersonalDomain(registry, domain))) return nowhere;
  return [
    ...nowhere,
    {
      path: 'institution.domain',
      message: `Enter your institution's own domain: ${domain} is a personal e-mail provider's (your address may still be at ${domain})`,
    },
  ];
}

/**
 * The domain and addresses (as typed, or as checked) at no top-level domain, each an issue naming its
 * field; `refused`: paths already refused otherwise, left out (with the form's other problems, so that
 * a researcher sees every problem at once: a trial fixed the domain, then met the official's .eud).
 */
export function topLevelIssues(
  typed: { domain?: string; requesterEmail?: string; officialEmail?: string },
  refused: ReadonlySet<string> = new Set(),
): Array<{ path: string; message: string }> {
  // Each names its field: the summary at the top lists them together (a trial saw one sentence thrice).
  return (
    [
      ['institution.domain', typed.domain && `x@${typed.domain.trim()}`, "your institution's domain"],
      ['requester.email', typed.requesterEmail?.trim(), 'your e-mail address'],
      ['signingOfficial.email', typed.officialEmail?.trim(), "the signing official's e-mail address"],
    ] as const
  ).flatMap(([path, email, what]) => {
    const tld = email && !refused.has(path) ? unknownTopLevel(email) : null;
    return tld
      ? [
          {
            path,
            message: `Check the spelling of ${what}: .${tld} is no top-level domain, so no mail would arrive`,
          },
        ]
      : [];
  });
}

/**
 * The researcher's own address typed as the signing official's (a trial's form took it without a word,
 * and the package went to the researcher): refused here, where it can still be fixed.
 */
function ownAddressIssues(
  typed: { requesterEmail?: string; officialEmail?: string },
  refused: ReadonlySet<string>,
): Array<{ path: string; message: string }> {
  const mine = typed.requesterEmail?.trim().toLowerCase();
  const official = typed.officialEmail?.trim().toLowerCase();
  if (!mine || mine !== official || refused.has('signingOfficial.email')) return [];
  return [
    {
      path: 'signingOfficial.email',
      message:
        "Enter the signing official's own address, not yours: the person who signs agreements for your " +
        'institution (often in its research or sponsored programs office)',
    },
  ];
}
