/**
 * An SMTP server on 127.0.0.1 that accepts everything and only counts: the workers send real mail over
 * a real socket (as in production), but parsing each message (test/helpers/mail.ts does, with
 * mailparser) would put the bench process on the CPUs the workers are being measured on.
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { Bench } from './process';

export interface MailSink {
  url: string;
  /** Messages accepted so far. */
  count(): number;
}

export async function startMailSink(bench: Bench): Promise<MailSink> {
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        count++;
        callback();
      });
      stream.resume(); // drain without keeping the bytes
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  bench.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, count: () => count };
}
