/**
 * What a person typed to name an agreement, put where the CLI looks for it: an address as the agreement
 * its person asked for, and the workflows that may hold what was typed when its own holds nothing.
 */
import { agreementIdFor, REQUEST_PREFIX } from '../common/agreement';
import { agreementTarget, type AgreementTarget } from '../common/agreement-target';
import type { Config } from '../common/config';
import { UserError } from './output';
import { withRecords } from './records';

/**
 * What was typed, with an address put as the agreement that person asked for (in process, else their
 * latest; docs/cli.md), so that status and the controls reach their agreement, never a colleague's (a
 * trial paused another requester's amendment by an address at the institution's domain). An address
 * that asked for none stays as typed: its individual agreement, else its institution's. Without the
 * records (unreachable) it stays as typed too: the status then comes from where it can.
 */
export async function asAsked(config: Pick<Config, 'DATABASE_URL'>, typed: string): Promise<string> {
  const target = agreementTarget(typed);
  if (!target.email || target.agreementId) return typed;
  // As `request` reads an address (a trailing dot dropped); a garbled one is no one's, not its domain's
  // (a trial's `rita@rice.edu.` reached a colleague's amendment).
  const { parseEmail } = await import('../common/coverage');
  const parsed = parseEmail(typed.trim().replace(/^mailto:/i, ''));
  if (!parsed) throw new UserError(`${typed.trim()}: not an e-mail address`);
  const asked = (
    await withRecords(config.DATABASE_URL, (store) => store.requesterAgreements(parsed.email)).catch(() => [])
  ).filter((a) => !a.agreementId.startsWith(REQUEST_PREFIX)); // a covered request is no agreement
  const open = asked.filter((a) => a.open).map((a) => a.agreementId);
  if (open.length > 1)
    throw new UserError(
      `${parsed.email} asked for ${open.length} agreements in process (${open.join(', ')}): name one by its id`,
    );
  return asked[0]?.agreementId ?? parsed.email;
}

/**
 * The workflow ids that may hold what was typed when its own holds nothing, in the order to try them:
 * an address's institution by its domain (after its individual agreement), then the institution the
 * registry says the domain belongs to (a second domain), the most telling last. An address that asked
 * for an agreement never comes here: `asAsked` put it as that agreement's id.
 */
export async function fallbackWorkflowIds(
  config: Pick<Config, 'DATABASE_URL'>,
  target: AgreementTarget,
): Promise<string[]> {
  if (!target.domain) return [];
  const ids = target.email ? [agreementIdFor(target.domain)] : [];
  const institution = await withRecords(config.DATABASE_URL, (store) =>
    store.institutionByDomain(target.domain!),
  );
  if (institution) ids.push(agreementIdFor(institution.id));
  return [...new Set(ids)].filter((id) => id !== target.workflowId);
}
