/**
 * The SMTP sink of the fault tests: a real SMTP server on 127.0.0.1 that keeps, for every message that
 * arrived, when it arrived (to set a duplicate beside the worker's kills), its Message-ID, its kind
 * (X-Dura-Kind) and its recipients. Started on a chosen port, it can stand for a mail server that
 * comes back where it was.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { addresses } from './mail';

export interface SinkMessage {
  /** Date.now() when the server had the whole message (just before it answers 250). */
  at: number;
  messageId: string;
  kind: string;
  to: string[];
  cc: string[];
}

export interface FaultSink {
  url: string;
  port: number;
  messages: SinkMessage[];
  /** Connections that broke off (a killed client), which the sink survived. */
  resets(): number;
  /** Message-IDs that arrived more than once, with every arrival. */
  duplicates(): Map<string, SinkMessage[]>;
  close(): Promise<void>;
}

export async function startFaultSink(port = 0): Promise<FaultSink> {
  const messages: SinkMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Many workers' connections at once, as a real relay would take them.
    maxClients: 1000,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({
            at: Date.now(),
            messageId: mail.messageId ?? '',
            kind: String(mail.headers.get('x-dura-kind') ?? ''),
            to: addresses(mail.to).map((a) => a.toLowerCase()),
            cc: addresses(mail.cc).map((a) => a.toLowerCase()),
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  // A client killed mid-conversation resets its connection: a relay shrugs that off, and so does the sink
  // (without a listener, smtp-server's 'error' event would bring the test process down).
  let resets = 0;
  server.on('error', () => resets++);
  const actual = (server.server.address() as AddressInfo).port;
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
