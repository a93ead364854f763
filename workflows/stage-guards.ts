/**
 * What an update needs of the agreement's stage, checked by its validator: a refusal names the stage and
 * the agreement (the access team may have typed a domain or an address, not the agreement's id).
 */
import { OPEN_STAGES, type Stage } from '../common/agreement';
import type { Agreement } from './agreement-state';

export function requireStage(agreement: Agreement, allowed: readonly Stage[], action: string): void {
  const stage = agreement.status.stage;
  if (!allowed.includes(stage))
    throw new Error(`cannot ${action}: the agreement is ${stage} (${agreement.status.agreementId})`);
}

/** Awaiting initiation or signature. */
export const requireOpen = (a: Agreement, action: string) => requireStage(a, OPEN_STAGES, action);
export const requireAwaitingSignature = (a: Agreement, action: string) =>
  requireStage(a, ['awaiting-signature'], action);
