/**
 * How the fault tests judge the CLI's answer to a malformed input, the way a user reads it: exit code 1,
 * nothing on stdout, no stack trace, and one line per problem, `dura: ` then the field. Commander's own
 * parse errors (unknown option, bad choice, missing value) are held to the same.
 */
import type { CliResult } from './cli';

export interface Verdict {
  /** What is wrong with the answer, or undefined when it is right. */
  problem?: string;
}

const CRASH = /^\s+at |TypeError|ReferenceError|RangeError|Unhandled/m;

/** `lines`: the field each expected line must name, in order (one for most inputs). */
export function judgeCli(result: CliResult, lines: string[]): Verdict {
  const said = result.stderr.split('\n').filter((l) => l.trim() !== '');
  const wrong = (why: string): Verdict => ({
    problem: `${why} (exit ${result.status}; stderr ${JSON.stringify(result.stderr.slice(0, 600))})`,
  });
  if (result.status !== 1) return wrong('exit code is not 1');
  if (CRASH.test(result.stderr)) return wrong('looks like a crash');
  if (result.stdout.trim() !== '') return wrong(`printed on stdout: ${result.stdout.slice(0, 200)}`);
  if (said.length !== lines.length)
    return wrong(`${said.length} line(s) on stderr, expected ${lines.length}`);
  for (const [i, field] of lines.entries()) {
    const match = /^dura: (.*)$/.exec(said[i]!);
    if (!match) return wrong(`line ${i + 1} is not "dura: …"`);
    if (!match[1]!.startsWith(field)) return wrong(`line ${i + 1} does not start with "${field}"`);
  }
  return {};
}
