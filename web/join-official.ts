/**
 * A request to join an agreement in process, sent with the signing official's fields left blank: the
 * agreement has its officials already, and a researcher following "Join the DURA request in process"
 * need not know them (a trial was asked for an official, then told the one typed was not used). The
 * official is filled in from the agreement's records for the request sent, never shown on a page.
 */
import type { RecordsStore } from '../activities/records/store';
import { requestCoverage } from '../client/request-coverage';
import { parseEmail } from '../common/coverage';
import { TIERS, type Tier } from '../common/agreement';
import type { RequestFormValues } from './request-form';

/**
 * The values with the official of the agreement the request would join, when both official fields are
 * blank and an agreement for the typed domain (or the requester's) is in process; else undefined.
 */
export async function withJoinedOfficial(
  store: RecordsStore,
  values: RequestFormValues,
): Promise<RequestFormValues | undefined> {
  const f = values.fields;
  if (f.official_name?.trim() || f.official_email?.trim()) return undefined;
  const email = parseEmail(f.requester_email ?? '')?.email;
  const tiers = values.tiers.filter((t): t is Tier => (TIERS as readonly string[]).includes(t));
  if (!email || !tiers.length) return undefined;
  const domain = f.domain?.trim() || email.split('@')[1]!;
  const inProcess = (await requestCoverage(store, { requester: { email }, institution: { domain }, tiers }))
    .inProcess;
  const official = inProcess && (await store.agreementStatus(inProcess.agreementId))?.signingOfficial;
  if (!official) return undefined;
  return { ...values, fields: { ...f, official_name: official.name, official_email: official.email } };
}
