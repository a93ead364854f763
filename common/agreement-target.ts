/**
 * What a person types to name an agreement, resolved to the workflow that holds it (client and records
 * only: it hashes with node:crypto, which workflow code may not load).
 */
import {
  agreementIdFor,
  normalizeDomain,
  numberedAgreementId,
  REQUEST_PREFIX,
  SLOT_PREFIX,
} from './agreement';
import { asciiDomain, asciiEmail } from './idn';

/**
 * The workflow id of an individual agreement (one address): `dura-individual-<16 hex>`, a SHA-256 of
 * the lower-cased address, so that no address is written where Temporal keeps ids in the clear
 * (visibility, its Web UI, logs); the agreement's own id (`ada@uw.edu-1`) lives in its encrypted memo
 * and the records.
 */
export function individualWorkflowId(email: string): string {
  // Loaded here, not at the top: node:crypto costs a cold `dura status <domain>` ~8 ms it never uses.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const digest = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
  return `${SLOT_PREFIX}individual-${digest.slice(0, 16)}`;
}

/**
 * What a person typed to name an agreement, resolved: an agreement id (`uw.edu-2`, `ada@uw.edu-1`), a
 * domain (`uw.edu`), an e-mail address (`ada@uw.edu`: its individual agreement, else its institution's), or an id from before agreement ids
 * (`dura-uw.edu`), in any case, with or without the `dura-` prefix. `workflowId` holds the
 * institution's agreement in process, else its latest; `agreementId` is set when one agreement was named.
 */
export interface AgreementTarget {
  workflowId: string;
  domain: string | null;
  /** Set when an address was typed: `workflowId` is then its individual agreement's. */
  email?: string;
  agreementId?: string;
}

export function agreementTarget(typed: string): AgreementTarget {
  // An internationalized domain or address as typed is looked up in its ASCII form (common/idn.ts).
  const trimmed = typed.trim().toLowerCase();
  const value = /^[\x20-\x7e]*$/.test(trimmed)
    ? trimmed
    : trimmed.includes('@')
      ? asciiEmail(trimmed)
      : asciiDomain(trimmed);
  if (value.startsWith(REQUEST_PREFIX)) return { workflowId: value, domain: null, agreementId: value };
  const bare = value.startsWith(SLOT_PREFIX) ? value.slice(SLOT_PREFIX.length) : value;
  // A domain's last label is letters (a TLD), so `<domain>-<digits>` is never a domain.
  const numbered = /^(.+\.[^.]+)-(\d+)$/.exec(bare);
  const key = numbered ? numbered[1]! : bare;
  const agreementId = numbered ? { agreementId: numberedAgreementId(key, Number(numbered[2])) } : {};
  const at = key.lastIndexOf('@');
  if (at >= 0) {
    // An address: its individual agreement, else its institution's (fetchStatus tries both).
    return {
      workflowId: individualWorkflowId(key),
      domain: normalizeDomain(key.slice(at + 1)),
      email: key,
      ...agreementId,
    };
  }
  if (numbered) return { workflowId: agreementIdFor(key), domain: normalizeDomain(key), ...agreementId };
  const domain = normalizeDomain(bare);
  return { workflowId: agreementIdFor(domain), domain };
}

/** The CLI's answer when nothing matches what was typed: `no agreement uw.edu-7`, `no agreement for x.edu`. */
export function noAgreement(target: AgreementTarget): string {
  if (target.agreementId) return `no agreement ${target.agreementId}`;
  return `no agreement for ${target.email ?? target.domain ?? target.workflowId}`;
}

/** The workflow id for what a person typed (see agreementTarget). */
export function agreementIdFrom(typed: string): string {
  return agreementTarget(typed).workflowId;
}

/**
 * The agreement's own id as a workflow's description gives it: since patch `agreement-ids` triage puts
 * it in the memo (`agreementId`, workflows/triage.ts); before, and until a worker has run that first
 * task, the workflow id names it (`dura status` takes either). Shape: anything with `workflowId` and
 * the client's decoded `memo`.
 */
export function agreementIdOf(described: { workflowId: string; memo?: Record<string, unknown> }): string {
  const id = described.memo?.agreementId;
  return typeof id === 'string' ? id : described.workflowId;
}
