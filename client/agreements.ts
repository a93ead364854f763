/**
 * Client functions for agreements. Expected outcomes (started, joined, already requested, rejected)
 * come back as values; only an unreachable server throws.
 */
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { agreementIdFor, type AgreementRequest, type JoinResult, type Policy } from '../common/agreement';
import type { agreementWorkflow } from '../workflows/agreement';
import { joinUpdate } from '../workflows/messages';
import { DuraInstitution, DuraStage, DuraTiers } from '../workflows/search-attributes';
import { patiently, type Patience } from './update-retry';

export interface RequestOptions {
  taskQueue: string;
  policy?: Partial<Policy>;
  /** For tests of long runs: continue as new after this many history events. */
  continueAsNewAfterEvents?: number;
  /** The join update's id: a retry that sends the same id is applied once (default: a new one). */
  updateId?: string;
}

/**
 * Starts the institution's agreement, or joins the one in process: update-with-start with
 * USE_EXISTING never starts a second agreement for the same domain.
 */
export async function requestAgreement(
  client: Client,
  request: AgreementRequest,
  options: RequestOptions,
): Promise<JoinResult> {
  const domain = request.institution.domain;
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof agreementWorkflow>(
    'agreementWorkflow',
    {
      workflowId: agreementIdFor(domain),
      taskQueue: options.taskQueue,
      args: [{ request, policy: options.policy, continueAsNewAfterEvents: options.continueAsNewAfterEvents }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: DuraStage, value: 'awaiting-initiation' },
        { key: DuraInstitution, value: domain },
        { key: DuraTiers, value: request.tiers },
      ],
    },
  );
  return client.workflow.executeUpdateWithStart(joinUpdate, {
    args: [request],
    startWorkflowOperation,
    updateId: options.updateId,
  });
}

/**
 * `requestAgreement` as the CLI sends it: riding out workers that come and go (update-retry.ts), with
 * one update id for every try (and a new start operation, each is used once). Throws UpdateNotTaken
 * when the bound runs out.
 */
export function requestPatiently(
  client: Client,
  request: AgreementRequest,
  options: RequestOptions,
  patience?: Patience,
): Promise<JoinResult> {
  const updateId = options.updateId ?? `join-${randomUUID()}`;
  return patiently(client, () => requestAgreement(client, request, { ...options, updateId }), patience);
}
