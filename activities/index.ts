/**
 * The real activities behind the workflows' interfaces: the records database, the mailer, the calendar
 * and the weekly digest. The worker builds them once from the configuration.
 */
import type { Config } from '../common/config';
import { statusLinkKey } from '../common/status-link';
import { calendarActivities } from './calendar';
import { digestActivities } from './digest';
import { ApplicationFailure } from '@temporalio/common';
import {
  RECORDS_REFUSED,
  type AgreementActivities,
  type CalendarActivities,
  type DigestActivities,
} from './interfaces';
import { createMailer } from './mail/mailer';
import type { MailThreadPriority } from './mail/mail-thread';
import { mailSettings } from './mail/settings';
import { openDatabase } from './records/db';
import { triageRequest } from './records/agreement-ids';
import { newerRegistration, recordRegistration, stepsAlreadyDone } from './records/registrations';
import { migrateToLatest } from './records/migrations';
import { RecordsStore } from './records/store';

/** The status-link key could not be read or made (a file another user owns): not the records' fault. */
export class LinkKeyError extends Error {}

export interface DuraActivities {
  activities: AgreementActivities & CalendarActivities & DigestActivities;
  store: RecordsStore;
  close(): Promise<void>;
}

export async function createActivities(
  config: Config,
  options: {
    dataDir?: string;
    env?: NodeJS.ProcessEnv;
    /** How the mail thread's priority went (createMailer's onMailThread). */
    onMailThread?: (priority: MailThreadPriority) => void;
  } = {},
): Promise<DuraActivities> {
  // Read (or made: DURA_DATA_DIR/status-link.key) now, so that a key file that holds no key stops the
  // worker at start rather than every requester's message later.
  let linkKey: Uint8Array;
  try {
    linkKey = statusLinkKey({ ...config, DURA_DATA_DIR: options.dataDir ?? config.DURA_DATA_DIR });
  } catch (err) {
    throw new LinkKeyError(`cannot read the status-link key: ${(err as Error).message}`, { cause: err });
  }
  const db = openDatabase(config.DATABASE_URL);
  await migrateToLatest(db);
  const store = new RecordsStore(db);
  const mailer = createMailer({
    smtpUrl: config.SMTP_URL,
    outboxDir: `${options.dataDir ?? 'data'}/outbox`,
    from: config.MAIL_FROM,
    accessTeam: config.ACCESS_TEAM_EMAIL,
    aouSigningOfficial: config.AOU_SIGNING_OFFICIAL_EMAIL,
    links: mailSettings(options.env ?? process.env).links,
    ledger: store,
    agreements: store,
    registrations: { stepsAlreadyDone: (input) => stepsAlreadyDone(db, input) },
    statusLinks: {
      baseUrl: config.DURA_WEB_URL,
      days: config.DURA_LINK_DAYS,
      key: () => linkKey,
    },
    databaseUrl: config.DATABASE_URL,
    onMailThread: options.onMailThread,
  });
  const activities: DuraActivities['activities'] = {
    ...calendarActivities,
    ...digestActivities({ db, mailer }),
    lookupInstitution: (domain) => store.lookupInstitution(domain),
    triageRequest: (input) => triageRequest(db, input),
    sendEmail: async ({ records, ...request }) => {
      // The records first hold what the message says (patch `records-with-mail`): written here, at once.
      if (records) await store.recordEvents(records).catch(refusedAsRecords);
      return mailer.send(request);
    },
    recordEvents: (input) => store.recordEvents(input),
    updateRegistry: (update) => store.updateRegistry(update),
    recordTerm: (input) => store.recordTerm(input),
    recordRegistration: (input) => recordRegistration(db, input),
    stepsAlreadyDone: (input) => stepsAlreadyDone(db, input),
    newerRegistration: (input) => newerRegistration(db, input),
  };
  return {
    activities,
    store,
    async close() {
      await mailer.close();
      await store.close();
    },
  };
}

/** A records write refused as bad data fails the message as RECORDS_REFUSED (see that); others as they are. */
function refusedAsRecords(err: unknown): never {
  if (err instanceof ApplicationFailure && err.nonRetryable)
    throw ApplicationFailure.nonRetryable(err.message, RECORDS_REFUSED);
  throw err;
}
