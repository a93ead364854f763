/**
 * The request's outcome in a researcher's words, on the page `/request/received` (web/routes/request.ts):
 * started, joined, asked already or not needed; an agreement of their own, or an amendment, said as such.
 */
import type { JoinResult, Tier } from '../common/agreement';
import { tiersInWords } from '../activities/mail/view';

export const OUTCOMES: Record<JoinResult['outcome'], string> = {
  started: 'Your request started a new agreement for your institution.',
  joined:
    'An agreement for your institution was already in process: your request joined it, and you will get its updates and instructions.',
  'already-requested':
    'You had already asked for this agreement: nothing new was started, and nothing is lost.',
  'not-needed':
    'Your institution is already listed for the tiers you asked for: no agreement is needed, and we sent you an e-mail on how to create an account.',
};

/** An individual agreement (its id follows the address): the institution lists researchers one by one. */
const INDIVIDUAL_STARTED =
  'Your request started an agreement of your own: your institution is listed researcher by researcher, so the agreement names you.';

/** The outcome in words: an agreement of the researcher's own, or an amendment, said as such. */
export function outcomeWords({
  agreementId,
  outcome,
  tiers,
  listedFor,
}: Pick<JoinResult, 'agreementId' | 'outcome'> & { tiers: Tier[]; listedFor?: Tier[] }): string {
  if (outcome !== 'started') return OUTCOMES[outcome];
  if (agreementId.includes('@')) return INDIVIDUAL_STARTED;
  const adds = tiers.filter((t) => !listedFor?.includes(t));
  return listedFor?.length && adds.length
    ? `Your institution is listed for the ${tiersInWords(listedFor)}: your request started an amendment ` +
        `that adds the ${tiersInWords(adds)}.`
    : OUTCOMES.started;
}
