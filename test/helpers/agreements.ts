/**
 * Builders and a harness for lifecycle tests on the time-skipping server over dura's real parts: the
 * records store (SQLite or PostgreSQL), the mailer over SMTP to a sink, the real calendar.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { ParsedMail } from 'mailparser';
import type { agreementWorkflow } from '../../workflows/agreement';
import type { AgreementRequest, AgreementStatus, Tier } from '../../common/agreement';
import { agreementIdFrom } from '../../common/agreement-target';
import { requestAgreement, type RequestOptions } from '../../client/agreements';
import { statusQuery } from '../../workflows/messages';
import { endWhenSettled } from './settle';
import { reportFailedTest } from './hang-report';
import { skipTime } from './time-skipping';
import { realEngine, type Engine, type TestDatabase } from './engine';
import { timeSkippingEnv } from './env';
import { addresses } from './mail';

export { workflowsPath } from './workflows-path';

let institutions = 0;
/** A request from a fresh institution (each test its own domain, so its own workflow id). */
export function aRequest(overrides: Partial<AgreementRequest> & { receivedAt: string }): AgreementRequest {
  const n = ++institutions;
  return {
    institution: { name: `Test University ${n}`, domain: `u${n}-${process.pid}.example.edu` },
    requester: { name: 'Ada Researcher', email: `ada@u${n}-${process.pid}.example.edu` },
    signingOfficial: {
      name: 'Sam Official',
      email: `so@u${n}-${process.pid}.example.edu`,
      title: 'Director, Sponsored Programs',
    },
    tiers: ['registered'] as Tier[],
    ...overrides,
  };
}

/** The configured role addresses, shown by their role in `sent`. */
export const ROLES = {
  'access-team': 'access@aou.example.org',
  'aou-signing-official': 'aou-so@aou.example.org',
};

export interface Lifecycle {
  env: TestWorkflowEnvironment;
  engine: Engine;
  request(
    request: AgreementRequest,
    options?: Omit<RequestOptions, 'taskQueue'>,
  ): ReturnType<typeof requestAgreement>;
  /** By agreement id, domain or workflow id: the institution's agreement in process, else its latest. */
  status(id: string): Promise<AgreementStatus>;
  handle(id: string): WorkflowHandle<typeof agreementWorkflow>;
  /** Server time now, as an ISO string (the time-skipping server's clock, not the machine's). */
  now(): Promise<string>;
  days(n: number): Promise<void>;
  /**
   * Messages of one agreement as they arrived at the SMTP sink (every copy, in order), as
   * `kind -> addressee`; one whose addressee the sink refused is left out.
   */
  sent(agreementId: string, kind?: string): string[];
  /** The same messages, parsed (subject, text, cc…). */
  messages(agreementId: string, kind?: string): ParsedMail[];
  /** Lists an institution on the Registered Institutions list (the records), as an import would. */
  list(domain: string, name: string, tiers: Tier[]): Promise<void>;
  /** The tiers the records list the institution for, or null when it is not listed. */
  listedTiers(domain: string): Promise<Tier[] | null>;
  /** The sink refuses this recipient for good (550 5.1.1), as a mail server does for no such user. */
  refuse(address: string): void;
  /** The events the records hold for one agreement run (its ref: the first run id). */
  recordedEvents(ref: string): Promise<string[]>;
}

const header = (mail: ParsedMail, name: string) => String(mail.headers.get(name) ?? '');
const role = (address: string) =>
  Object.entries(ROLES).find(([, configured]) => configured === address)?.[0] ?? address;

/**
 * One time-skipping server, the real activities and one worker for a whole test file. Agreements are
 * never terminated: the Java test server's clock stays locked after an update-with-start workflow is
 * terminated or cancelled (Temporal's cancel, not ours). `registrationTracking: false`: the agreements'
 * policy turns registration tracking off (see `request`).
 */
export function lifecycleHarness(
  database: TestDatabase = 'sqlite',
  harnessOptions: { registrationTracking?: boolean } = {},
): Lifecycle {
  const engine = realEngine(
    timeSkippingEnv,
    {
      ACCESS_TEAM_EMAIL: ROLES['access-team'],
      AOU_SIGNING_OFFICIAL_EMAIL: ROLES['aou-signing-official'],
    },
    database,
  );
  const opened = new Set<string>();
  const arrived = (agreementId: string, kind?: string) =>
    engine.smtp.arrived.filter(
      ({ mail }) =>
        header(mail, 'x-dura-agreement') === agreementId && (!kind || header(mail, 'x-dura-kind') === kind),
    );
  const messages = (agreementId: string, kind?: string) => arrived(agreementId, kind).map((a) => a.mail);
  const harness: Lifecycle = {
    get env() {
      return engine.env;
    },
    engine,
    request: async (request, requestOptions) => {
      // Registration tracking off (files not about it): its abandoned children outlive the agreement,
      // and the Java test server's clock can stop skipping while they run under load (a hang of the
      // test, not of dura; sdk-typescript#1101). Registrations are tested in registration.test.ts, on
      // the dev server (lifecycle-real) and on the real server (faults, production profile).
      const off = harnessOptions.registrationTracking === false;
      const result = await requestAgreement(engine.env.client, request, {
        taskQueue: engine.queue,
        ...requestOptions,
        ...(off ? { policy: { registrationTracking: false, ...requestOptions?.policy } } : {}),
      });
      opened.add(agreementIdFrom(result.agreementId));
      return result;
    },
    status: (id) => engine.env.client.workflow.getHandle(agreementIdFrom(id)).query(statusQuery),
    handle: (id) => engine.env.client.workflow.getHandle<typeof agreementWorkflow>(agreementIdFrom(id)),
    now: async () => new Date(await engine.env.currentTimeMs()).toISOString(),
    days: async (n) => {
      const handles = () => [...opened].map((id) => engine.env.client.workflow.getHandle(id));
      await skipTime(engine.env, n * 24 * 3600_000, handles);
    },
    // The addressees the sink accepted: a message whose "to" it refused reached only its cc.
    sent: (agreementId, kind) =>
      arrived(agreementId, kind).flatMap(({ mail, rcptTo }) => {
        const to = addresses(mail.to).filter((a) => rcptTo.includes(a.toLowerCase()));
        return to.length ? [`${header(mail, 'x-dura-kind')} -> ${to.map(role).join(',')}`] : [];
      }),
    messages,
    list: async (domain, name, tiers) => {
      await engine.dura.store.importInstitutions([{ domain, name, tiers }], '2024-01-02');
    },
    listedTiers: async (domain) => (await engine.dura.store.lookupInstitution(domain))?.tiers ?? null,
    refuse: (address) => engine.smtp.refuse.set(address.toLowerCase(), 550),
    recordedEvents: async (ref) => (await engine.dura.store.agreementEvents(ref)).map((e) => e.event),
  };
  // Each test's agreements end with it, so that the next test's clock does not also drive their
  // reminders: terminated once settled (test/helpers/settle.ts says why).
  afterEach(async function () {
    const handles = [...opened].map((id) => engine.env.client.workflow.getHandle(id));
    if (this.currentTest?.state === 'failed') await reportFailedTest(this.currentTest.title, handles);
    await endWhenSettled(handles, 'test over');
    opened.clear();
  });
  return harness;
}

/** Every history the replay test expects in test/histories/ (test/replay.test.ts), by the test that makes it. */
export const RECORDED_PATHS = [
  'happy-path',
  'manual-initiation-overdue',
  'executed-before-initiation',
  'six-reminders-escalated',
  'second-requester-joins',
  'one-receipt-each',
  'amendment',
  'not-needed',
  'cancelled',
  'declined',
  'held-after-decline',
  'closed-after-package',
  'official-changed',
  'pause-resume',
  'pause-ends',
  'remind-now-set-cadence',
  'remind-now-paused',
  'undeliverable-package',
  'executed-signal',
  'continue-as-new-run-1',
  'continue-as-new-run-2',
  'digest',
  'digest-registration-reports',
  'individual-agreement',
  'two-officials',
  'second-agreement',
  'registration-completed',
  'registration-stalled',
  'registration-two-requesters',
  'registration-carried',
  'registration-closed',
  'term-lapsed',
  'term-renewed',
  'renewal',
] as const;
export type RecordedPath = (typeof RECORDED_PATHS)[number] | 'continue-as-new';

/**
 * Commits a scenario's history under test/histories/ when DURA_REFRESH_HISTORIES=1, for the replay test
 * (from the SQLite run of a file that runs on both databases: one origin). A workflow that continued as
 * new is saved run by run, oldest first: `<name>-run-1.json`, `<name>-run-2.json`…
 */
export async function saveHistory(
  env: TestWorkflowEnvironment,
  workflowId: string,
  name: RecordedPath,
  database: TestDatabase = 'sqlite',
): Promise<void> {
  if (!process.env.DURA_REFRESH_HISTORIES || database !== 'sqlite') return;
  const dir = path.join(__dirname, '..', 'histories');
  fs.mkdirSync(dir, { recursive: true });
  const runs: string[] = [];
  // Walk the chain back from the latest run: each run's first event names the run it continues.
  for (let runId: string | undefined = undefined; ;) {
    // An agreement's id names its workflow; a workflow id (the digest's) is taken as it is.
    const id = workflowId.startsWith('dura-') ? workflowId : agreementIdFrom(workflowId);
    const history = await env.client.workflow.getHandle(id, runId).fetchHistory();
    runs.unshift(historyToJSON(history));
    runId =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    if (!runId) break;
  }
  const file = (i: number) => (runs.length === 1 ? `${name}.json` : `${name}-run-${i + 1}.json`);
  runs.forEach((json, i) => fs.writeFileSync(path.join(dir, file(i)), json + '\n'));
}
