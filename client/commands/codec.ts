/**
 * `dura codec-server`: readable payloads in the Temporal Web UI: decrypted for those who hold the key
 * (DURA_ENCRYPTION_KEY), decompressed (DURA_PAYLOAD_COMPRESSION) for anyone who can reach it.
 */
import type { Command } from 'commander';
import { UserError } from '../output';

interface CodecFlags {
  listen: string;
  uiOrigin: string;
}

export function registerCodecCommands(program: Command): void {
  program
    .command('codec-server')
    .description('serve /encode and /decode for the Temporal Web UI (encrypted or compressed payloads)')
    .option('--listen <host:port>', 'where to listen', '127.0.0.1:8888')
    .option('--ui-origin <url>', "the Web UI's origin, the only one CORS admits", 'http://127.0.0.1:8233')
    .addHelpText(
      'after',
      '\nSet DURA_CODEC_TOKEN to require `Authorization: Bearer <token>` on every request.\n\nExample:\n' +
        '  DURA_CODEC_TOKEN=… dura codec-server --listen 127.0.0.1:8888 --ui-origin http://127.0.0.1:8233\n' +
        '  temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8888',
    )
    .action(async (flags: CodecFlags) => {
      // Every problem at once: both flags.
      const problems: string[] = [];
      const listen = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(flags.listen);
      if (!listen || Number(listen[2]) > 65535)
        problems.push(`--listen: expected host:port (got ${JSON.stringify(flags.listen)})`);
      let origin = '';
      try {
        origin = new URL(flags.uiOrigin).origin;
      } catch {
        problems.push(
          `--ui-origin: expected a URL such as http://127.0.0.1:8233 (got ${JSON.stringify(flags.uiOrigin)})`,
        );
      }
      if (!listen || problems.length) throw new UserError(problems.join('\n'));
      const { loadConfig } = await import('../../common/config');
      const { chainedCodec, payloadCodecsFor } = await import('../../common/codec');
      const codec = chainedCodec(payloadCodecsFor(loadConfig()));
      const token = process.env.DURA_CODEC_TOKEN || undefined;
      const { createCodecServer } = await import('../codec-server');
      const server = createCodecServer({ codec, origin, token });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(Number(listen[2]), listen[1]!.replace(/^\[|\]$/g, ''), resolve);
      });
      process.stderr.write(
        `dura codec server on http://${flags.listen} for ${origin}${token ? ' (bearer token required)' : ''}; Ctrl-C stops it\n`,
      );
      await new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const)
          process.once(signal, () => server.close(() => resolve()));
      });
    });
}
