/**
 * `dura web [--port <n>] [--host <ip>]`: the researcher's pages (web/server.ts) until SIGINT or SIGTERM.
 * It needs the records at once and Temporal only when a request is sent or a status page opened, so it
 * starts (and the list and "Am I covered?" answer) while Temporal is still coming up.
 */
import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import type { Config } from '../../common/config';
import { UserError } from '../output';

interface WebFlags {
  port?: string;
  host?: string;
}

export function registerWebCommands(program: Command): void {
  program
    .command('web')
    .description(
      "serve the researchers' pages: Registered Institutions, Am I covered?, Request a DURA, status",
    )
    .option('--port <n>', 'the port, 0-65535; 0 takes a free one (default DURA_WEB_PORT, else 8080)')
    .option('--host <ip>', 'the IP address to listen on (default DURA_WEB_HOST, else 127.0.0.1)')
    .addHelpText(
      'after',
      '\nPrints `dura web: listening on http://HOST:PORT` on stderr once it listens; Ctrl-C stops it.\n' +
        'Form posts are limited to DURA_WEB_RATE_LIMIT (default 20) a minute per client address.\n\n' +
        'Examples:\n  dura web\n  dura web --port 0\n  DURA_WEB_HOST=0.0.0.0 dura web --port 8080',
    )
    .action(async (flags: WebFlags) => {
      // Loaded here: the other commands never pay for Fastify, Handlebars or jose.
      const { loadConfig } = await import('../../common/config');
      const config = loadConfig();
      const web = await webSettings(flags);
      const { mailSettings } = await import('../../activities/mail/settings');
      const { links } = mailSettings();
      const { statusLinkKey } = await import('../../common/status-link');
      const linkKey = statusLinkKey(config);
      const temporal = lazyClient(config);
      const { withStore } = await import('../records');
      await withStore(async (store) => {
        const { buildWebServer } = await import('../../web/server');
        const app = await buildWebServer({ config, web, store, temporal: temporal.get, linkKey, links });
        await app.listen({ host: web.host, port: web.port }).catch((err: NodeJS.ErrnoException) => {
          const where = `${web.host}:${web.port}`;
          // What the person can change, not Node's `listen EADDRINUSE`.
          if (err.code === 'EADDRINUSE')
            throw new UserError(`--port: ${where} is in use (another dura web?): choose another port`);
          if (err.code === 'EADDRNOTAVAIL')
            throw new UserError(`--host: ${web.host} is not an address of this machine`);
          if (err.code === 'EACCES')
            throw new UserError(`--port: ${web.port} needs privileges to listen on: choose one above 1023`);
          throw err;
        });
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : web.port;
        const host = web.host.includes(':') ? `[${web.host}]` : web.host;
        process.stderr.write(`dura web: listening on http://${host}:${port}\n`);
        // The pages serve without Temporal, but requests cannot start: say so now, not at the first one.
        temporal
          .get()
          .catch((err: Error) =>
            process.stderr.write(
              `dura web: warning: ${err.message.split('\n')[0]}; requests answer "Nothing was sent" until it is reached\n`,
            ),
          );
        await new Promise<void>((resolve) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
        });
        await app.close();
      }).finally(() => temporal.close());
    });
}

/** web/config.ts's settings with the flags over the environment; a bad flag is named as typed. */
async function webSettings(flags: WebFlags) {
  const { webConfig } = await import('../../web/config');
  const env = {
    ...process.env,
    ...(flags.port !== undefined ? { DURA_WEB_PORT: flags.port } : {}),
    ...(flags.host !== undefined ? { DURA_WEB_HOST: flags.host } : {}),
  };
  try {
    return webConfig(env);
  } catch (err) {
    const problems = (err as { problems?: string[] }).problems;
    if (!problems) throw err;
    const typed: Record<string, string | undefined> = {
      DURA_WEB_PORT: flags.port !== undefined ? '--port' : undefined,
      DURA_WEB_HOST: flags.host !== undefined ? '--host' : undefined,
    };
    const named = problems.map((line) => {
      const variable = line.slice(0, line.indexOf(':'));
      return typed[variable] ? typed[variable] + line.slice(variable.length) : line;
    });
    if (named.some((line, i) => line !== problems[i])) throw new UserError(named.join('\n'));
    throw err;
  }
}

/**
 * A Temporal client made on first use and kept; a failed connection (UnreachableError) is tried again
 * on the next call, so the pages recover by themselves when Temporal comes up.
 */
function lazyClient(config: Config): { get: () => Promise<Client>; close: () => Promise<void> } {
  let pending: Promise<Client> | undefined;
  return {
    get: () => {
      pending ??= import('../temporal')
        .then(({ connect }) => connect(config))
        .catch((err: unknown) => {
          pending = undefined;
          throw err;
        });
      return pending;
    },
    close: async () => {
      const client = await pending?.catch(() => undefined);
      await client?.connection.close();
    },
  };
}
