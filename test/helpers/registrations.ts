/**
 * Requesters' registrations for the tests of the ways progress comes in (registration-cli.test.ts,
 * registration-hook.test.ts) on the dev server: a real agreement requested through the CLI, and a real
 * registration workflow for each requester, started as the agreement workflow starts it after the
 * instructions (workflows/registration-start.ts), so the records hold what they hold in production.
 */
import { strict as assert } from 'node:assert';
import {
  listRegistrations,
  recordRegistration,
  registrationsFor,
  type RegistrationRow,
} from '../../activities/records/registrations';
import type { Person } from '../../common/agreement';
import { noStepsDone, type RegistrationStatus } from '../../common/registration';
import { registrationWorkflow } from '../../workflows/registration';
import { dura, requestArgs } from './cli';
import type { Engine } from './engine';
import { until } from './wait';

/** Requests an agreement for `domain` through the CLI; its id and its records reference. */
export async function anAgreement(
  engine: Engine,
  domain: string,
): Promise<{ agreementId: string; ref: string }> {
  const requested = await dura([...requestArgs(domain), '--json'], engine.cliEnv);
  assert.equal(requested.status, 0, requested.stderr);
  const { agreementId } = JSON.parse(requested.stdout) as { agreementId: string };
  const row = await waitFor(() =>
    engine.dura.store.db
      .selectFrom('agreements')
      .select('agreement_ref')
      .where('agreement_id', '=', agreementId)
      .executeTakeFirst(),
  );
  return { agreementId, ref: row.agreement_ref };
}

/** Starts the requester's registration (instructions sent `instructionsSentAt`) and waits for its row. */
export async function aRegistration(
  engine: Engine,
  agreement: { agreementId: string; ref: string },
  domain: string,
  requester: Person,
  instructionsSentAt = new Date().toISOString(),
): Promise<RegistrationRow> {
  const n = (await listRegistrations(engine.dura.store.db, { institution: domain })).length + 1;
  await engine.env.client.workflow.start(registrationWorkflow, {
    workflowId: `test-registration-${agreement.agreementId}-${n}`,
    taskQueue: engine.queue,
    args: [
      {
        registrationId: `test-registration-${agreement.agreementId}-${n}`,
        agreementId: agreement.agreementId,
        agreementRef: agreement.ref,
        institution: { name: `University of ${domain}`, domain },
        requester,
        instructionsSentAt,
        nudgeEveryDays: 7,
        nudges: 4,
      },
    ],
  });
  return waitFor(async () => (await registrationsFor(engine.dura.store.db, requester.email))[0]);
}

/** `get`'s first value that is not undefined, polled as wait.ts's until polls. */
async function waitFor<T>(get: () => Promise<T | undefined>): Promise<T> {
  let value: T | undefined;
  await until(async () => (value = await get()) !== undefined);
  return value!;
}

/**
 * A registration as its workflow last wrote it, straight into the records with no workflow behind it
 * (a stalled, complete or closed one from weeks ago). Defaults: instructions sent 2026-08-03, no step
 * done, nothing sent; `registration` overrides them.
 */
export async function aRecordedRegistration(
  engine: Engine,
  agreement: { agreementId: string; ref: string },
  institution: { name: string; domain: string },
  registration: Partial<Omit<RegistrationStatus, 'history'>> & { registrationId: string; requester: Person },
): Promise<void> {
  await recordRegistration(engine.dura.store.db, {
    agreementRef: agreement.ref,
    registration: {
      agreementId: agreement.agreementId,
      institution,
      instructionsSentAt: '2026-08-03T14:00:00.000Z',
      steps: noStepsDone(),
      nudgesSent: 0,
      nextNudgeAt: null,
      escalatedAt: null,
      completedAt: null,
      ...registration,
    },
    events: [],
  });
}

/** The `event` entries of an agreement's history in the records: `{ event, detail }` each, in order. */
export function recordedEvents(engine: Engine, agreementRef: string, event: string) {
  return engine.dura.store.db
    .selectFrom('agreement_events')
    .select(['event', 'detail'])
    .where('agreement_ref', '=', agreementRef)
    .where('event', '=', event)
    .orderBy('seq')
    .execute();
}
