/**
 * How the fault tests judge the CLI's answer to a malformed input, the way a user reads it: exit code 1,
 * nothing on stdout, no stack trace, and one line per problem that names the field. Commander's own
 * parse errors (unknown option, bad choice, missing value) print `error: …` rather than `dura: …`;
 * they are accepted here and counted, and held to the `dura:` prefix by a test of their own.
 */
import type { CliResult } from './cli';

export interface Verdict {
  /** What is wrong with the answer, or undefined when it is right. */
  problem?: string;
  /** Whether it was commander's `error:` line rather than dura's own. */
  commander: boolean;
}

const CRASH = /^\s+at |TypeError|ReferenceError|RangeError|Unhandled/m;

/** `lines`: the field each expected line must name, in order (one for most inputs). */
export function judgeCli(result: CliResult, lines: string[]): Verdict {
  const said = result.stderr.split('\n').filter((l) => l.trim() !== '');
  const commander = said.some((l) => l.startsWith('error: '));
  const wrong = (why: string): Verdict => ({
    problem: `${why} (exit ${result.status}; stderr ${JSON.stringify(result.stderr.slice(0, 600))})`,
    commander,
  });
  if (result.status !== 1) return wrong('exit code is not 1');
  if (CRASH.test(result.stderr)) return wrong('looks like a crash');
  if (result.stdout.trim() !== '') return wrong(`printed on stdout: ${result.stdout.slice(0, 200)}`);
  if (said.length !== lines.length)
    return wrong(`${said.length} line(s) on stderr, expected ${lines.length}`);
  for (const [i, field] of lines.entries()) {
    const match = /^(?:dura|error): (.*)$/.exec(said[i]!);
    if (!match) return wrong(`line ${i + 1} is not "dura: …"`);
    if (!match[1]!.startsWith(field)) return wrong(`line ${i + 1} does not start with "${field}"`);
  }
  return { commander };
}
