/**
 * The SMTP sink of the fault tests: a real SMTP server on 127.0.0.1 that keeps, for every message that
 * arrived, when it was accepted (to set a duplicate beside the worker's kills), its Message-ID, its kind
 * (X-Dura-Kind) and its recipients. Started on a chosen port, it can stand for a mail server that
 * comes back where it was.
 *
 * It runs in a thread of its own and answers 250 the moment a message's final dot arrives, parsing it
 * afterwards: run on the test's event loop (mocha, the Temporal client, the chaos loop), it answered
 * 60–90 ms late when the worker's messages came in a burst, and a kill meanwhile was a duplicate that
 * said nothing about the mailer. A relay that is slower to answer only widens the same window.
 */
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { addresses } from './mail';

export interface SinkMessage {
  /** Date.now() when the sink had the whole message and answered 250 (the same clock as the kills'). */
  at: number;
  messageId: string;
  kind: string;
  to: string[];
  cc: string[];
}

export interface FaultSink {
  url: string;
  port: number;
  /** In order of acceptance; each shows up here a moment after its 250 (once parsed). */
  messages: SinkMessage[];
  /** Connections that broke off (a killed client), which the sink survived. */
  resets(): number;
  /** Message-IDs that arrived more than once, with every arrival, first first. */
  duplicates(): Map<string, SinkMessage[]>;
  close(): Promise<void>;
}

type FromSink =
  | { type: 'listening'; port: number }
  | { type: 'message'; at: number; raw: Uint8Array }
  | { type: 'reset' }
  | { type: 'failed'; error: string }
  | { type: 'closed' };

/** The thread's side: the server, handing over each accepted message (raw) and each broken connection. */
function runSink(port: number): void {
  const post = (m: FromSink) => parentPort!.postMessage(m);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    // Many workers' connections at once, as a real relay would take them.
    maxClients: 1000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const at = Date.now();
        callback();
        // Parsed by the test's thread: this one only talks SMTP.
        const raw = new Uint8Array(Buffer.concat(chunks));
        parentPort!.postMessage({ type: 'message', at, raw } satisfies FromSink, [raw.buffer]);
      });
    },
  });
  // A client killed mid-conversation resets its connection: a relay shrugs that off, and so does the sink
  // (without a listener, smtp-server's 'error' event would end the thread).
  let up = false;
  server.on('error', (err) => post(up ? { type: 'reset' } : { type: 'failed', error: err.message }));
  server.listen(port, '127.0.0.1', () => {
    up = true;
    post({ type: 'listening', port: (server.server.address() as AddressInfo).port });
  });
  parentPort!.once('message', () => server.close(() => post({ type: 'closed' })));
}

if (!isMainThread && (workerData as { faultSink?: number } | null)?.faultSink !== undefined)
  runSink((workerData as { faultSink: number }).faultSink);

export async function startFaultSink(port = 0): Promise<FaultSink> {
  // The test runs from TypeScript sources: the thread loads this file through tsx as well.
  const code = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(__filename)});`;
  const thread = new Worker(code, { eval: true, workerData: { faultSink: port } });
  const messages: SinkMessage[] = [];
  // Parsed one after another, so that `messages` keeps the order of the 250s.
  let parsed = Promise.resolve();
  const parse = (at: number, raw: Uint8Array) =>
    (parsed = parsed.then(async () => {
      const mail = await simpleParser(Buffer.from(raw)).catch(() => undefined);
      // One that does not parse is kept without a Message-ID: the test reports it as unexpected.
      messages.push({
        at,
        messageId: mail?.messageId ?? '',
        kind: String(mail?.headers.get('x-dura-kind') ?? ''),
        to: addresses(mail?.to).map((a) => a.toLowerCase()),
        cc: addresses(mail?.cc).map((a) => a.toLowerCase()),
      });
    }));
  let resets = 0;
  let closed = () => {};
  let closing: Promise<void> | undefined;
  const listening = new Promise<number>((resolve, reject) => {
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the sink's thread exited (${code}) before listening`)));
    thread.on('message', (m: FromSink) => {
      if (m.type === 'listening') resolve(m.port);
      else if (m.type === 'failed') reject(new Error(`the sink cannot listen on ${port}: ${m.error}`));
      else if (m.type === 'message') void parse(m.at, m.raw);
      else if (m.type === 'reset') resets++;
      else closed();
    });
  });
  const actual = await listening.catch(async (err: unknown) => {
    await thread.terminate();
    throw err;
  });
  return {
    url: `smtp://127.0.0.1:${actual}`,
    port: actual,
    messages,
    resets: () => resets,
    duplicates() {
      const byId = new Map<string, SinkMessage[]>();
      for (const m of messages) byId.set(m.messageId, [...(byId.get(m.messageId) ?? []), m]);
      return new Map([...byId].filter(([, all]) => all.length > 1));
    },
    // Once: a test may close a sink (the server goes away) and its `after` hook close them all.
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          closed = resolve;
          thread.postMessage('close');
        });
        await thread.terminate();
        await parsed;
      })()),
  };
}
