/**
 * SMTP and the ledger's record of each outcome, in a thread of their own.
 *
 * A kill between the server's 250 and markSent sends the message again (mailer.ts). nodemailer calls
 * back on the 250 itself and the record follows in the same turn of the event loop, so that stretch
 * is as long as the thread is busy with something else when the 250 arrives. The worker's main
 * thread also runs Temporal's activations and payloads, the records' other writes and the activities'
 * completions, and was measured busy for 50–250 ms at a time in the worker-chaos fault test: a burst
 * of 250s waited behind it, and a kill then caught several at once. This thread does nothing but SMTP
 * conversations and their records, through its own connection to the records (DATABASE_URL); the
 * main thread keeps rendering, building the MIME message and `ledger.begin`.
 *
 * It also runs at a raised scheduling priority where the process may raise it (root, CAP_SYS_NICE):
 * on a machine whose cores are busy with the worker's own threads, Temporal's server and the rest, the
 * thread otherwise read a 250 a few ms after it arrived (worker-chaos fault test: mean 3.5 ms from the
 * server's 250 to the record, p90 10, and one kill caught 4 messages whose 250s came together); raised,
 * it reads it at once (mean 1.1, p90 2). It spends its time waiting on sockets, so it takes little
 * from the other threads.
 */
import { constants, getPriority, setPriority } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { isSqlite, openDatabase } from '../records/db';
import { RecordsStore } from '../records/store';
import { smtpDelivery, type Delivery, type Outcome, type Recorder } from './deliver';

interface Job {
  id: number;
  /** Envelope and recipients; the message itself is `raw`. */
  message: Pick<Mail.Options, 'envelope' | 'to' | 'messageId'>;
  raw: Uint8Array;
  fileStem: string;
  key: string;
}
type Reply =
  { id: number; outcome: Outcome } | { id: number; error: string } | { priority: MailThreadPriority };

/** The mail thread's scheduling priority: its nice value, and why it was not raised if it was not. */
export interface MailThreadPriority {
  nice: number;
  raised: boolean;
  /** The system's refusal (EACCES: neither root nor CAP_SYS_NICE). */
  refused?: string;
}

/** PRIORITY_HIGH (nice -14) for the calling thread only: Linux keeps a nice value per thread. */
function raisePriority(): MailThreadPriority {
  try {
    setPriority(constants.priority.PRIORITY_HIGH);
    return { nice: getPriority(), raised: true };
  } catch (err) {
    // Node's SystemError: the errno's name is in `info.code` (`code` is ERR_SYSTEM_ERROR).
    const { info, code } = err as { info?: { code?: string }; code?: string };
    return { nice: getPriority(), raised: false, refused: info?.code ?? code ?? String(err) };
  }
}
interface Settings {
  smtpUrl: string;
  databaseUrl: string;
}

/** The thread: one delivery, one connection to the records, until told to close. */
function serve({ smtpUrl, databaseUrl }: Settings): void {
  const port = parentPort!;
  port.postMessage({ priority: raisePriority() } satisfies Reply);
  const store = new RecordsStore(openDatabase(databaseUrl));
  const ledger: Recorder = {
    markSent: (...args) => unlocked(() => store.markSent(...args)),
    markRejected: (...args) => unlocked(() => store.markRejected(...args)),
  };
  const delivery = smtpDelivery(smtpUrl, ledger, () => new Date());
  // Connected now, not on the first record: opening the database would otherwise fall in its window.
  // SQLite: waiting for the write lock is unlocked()'s (below), and checkpoints (an fsync) are left
  // to the main thread's connection, so that a record is one short write.
  const warm = isSqlite(databaseUrl)
    ? sql`PRAGMA busy_timeout = 0`
        .execute(store.db)
        .then(() => sql`PRAGMA wal_autocheckpoint = 0`.execute(store.db))
    : sql`select 1`.execute(store.db);
  void warm.catch(() => undefined);
  port.on('message', (job: Job | 'close') => {
    if (job === 'close') {
      void delivery
        .close()
        .then(() => store.close())
        .finally(() => port.close());
      return;
    }
    // A transferred Buffer arrives as a plain Uint8Array.
    const raw = Buffer.from(job.raw.buffer, job.raw.byteOffset, job.raw.byteLength);
    delivery.deliver({ ...job.message, raw }, job.fileStem, job.key).then(
      (outcome) => port.postMessage({ id: job.id, outcome } satisfies Reply),
      (err: Error) => port.postMessage({ id: job.id, error: err.message } satisfies Reply),
    );
  });
}

/**
 * A write tried again every millisecond while another connection (the main thread's) holds SQLite's
 * write lock. SQLite's own wait sleeps 1, 2, 5, 10… ms with the thread blocked, so that every 250
 * arriving meanwhile waited too; here the thread reads them between tries.
 */
async function unlocked<T>(write: () => Promise<T>): Promise<T> {
  for (const deadline = Date.now() + 5000; ;) {
    try {
      return await write();
    } catch (err) {
      const busy = String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY');
      if (!busy || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

const settings = (workerData as { duraMailThread?: Settings } | null)?.duraMailThread;
if (!isMainThread && settings) serve(settings);

/**
 * Started at once, so that it is up before the first message (a restarted worker's first messages
 * would otherwise wait on it); one that dies fails what it had (retryable) and the next message starts
 * another.
 */
export function mailThreadDelivery(
  smtpUrl: string,
  databaseUrl: string,
  onPriority?: (priority: MailThreadPriority) => void,
): Delivery {
  let thread: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve: (o: Outcome) => void; reject: (e: Error) => void }>();

  function failAll(why: string): void {
    for (const waiting of pending.values()) waiting.reject(new Error(`the mail thread stopped (${why})`));
    pending.clear();
  }

  function start(): Worker {
    const data = { duraMailThread: { smtpUrl, databaseUrl } satisfies Settings };
    // From the TypeScript sources (tests, `tsx`), the thread loads this file through tsx as well.
    const started = __filename.endsWith('.ts')
      ? new Worker(
          `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(__filename)});`,
          {
            eval: true,
            workerData: data,
          },
        )
      : new Worker(__filename, { workerData: data });
    started.unref(); // an idle mail thread does not keep the process alive (see deliver)
    started.on('message', (reply: Reply) => {
      if ('priority' in reply) return onPriority?.(reply.priority);
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (pending.size === 0) started.unref();
      if ('outcome' in reply) waiting?.resolve(reply.outcome);
      else waiting?.reject(new Error(reply.error));
    });
    started.on('error', (err) => failAll(err.message));
    started.on('exit', (code) => {
      if (thread === started) thread = undefined;
      failAll(`exit code ${code}`);
    });
    return started;
  }

  thread = start();
  // The MIME message is built here: encoding its text and HTML was the mail thread's heaviest work,
  // and a 250 that arrived meanwhile waited for it.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async deliver(message, fileStem, key) {
      const built = await composer.sendMail(message);
      // A copy: a Buffer may share its memory with others, and this one is handed over, not copied.
      const raw = new Uint8Array(built.message as Buffer);
      const { envelope } = built;
      const job: Job = {
        id: nextId++,
        message: { envelope, to: message.to, messageId: message.messageId },
        raw,
        fileStem,
        key,
      };
      thread ??= start();
      return new Promise<Outcome>((resolve, reject) => {
        pending.set(job.id, { resolve, reject });
        thread!.ref(); // while a message is on its way
        thread!.postMessage(job, [raw.buffer]);
      });
    },
    async close() {
      composer.close();
      const closing = thread;
      thread = undefined;
      if (!closing) return;
      const exited = new Promise((resolve) => closing.once('exit', resolve));
      closing.postMessage('close');
      await exited;
    },
  };
}
