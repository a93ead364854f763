/**
 * Paths of the official Temporal servers, installed (once, cached per user) by the project's own
 * setup scripts. The scripts print the path; a second call answers from the cache in milliseconds.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const cache = new Map<string, string>();

function runSetup(script: string): string {
  let found = cache.get(script);
  if (!found) {
    const output = execFileSync('bash', [path.join(__dirname, script)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    found = output.trim().split('\n').pop()!;
    cache.set(script, found);
  }
  return found;
}

/** The Temporal CLI (`temporal server start-dev`, `temporal workflow …`). */
export const temporalCliPath = (): string => runSetup('setup-temporal-cli.sh');

/** Wrapper script that execs Java's time-skipping test server; argument: <port>. */
export const testServerPath = (): string => runSetup('setup-test-server.sh');

/**
 * The real Temporal server's directory (the production profile): DIR/temporal-server,
 * DIR/temporal-sql-tool and DIR/schema/postgresql/v12/{temporal,visibility}/versioned.
 */
export const temporalServerDir = (): string => runSetup('setup-temporal-server.sh');
