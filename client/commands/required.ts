/**
 * Mandatory flags checked after commander's own checks. Commander's `requiredOption` is checked before
 * unknown options, so `dura execute uw.edu-1 --onn 2026-12-01` said only that `--on` was missing and never
 * named the `--onn` typed. Here the flag is an ordinary option, and one `preAction` hook reports every
 * missing mandatory flag of the command, each on its own line, in commander's words.
 */
import type { Command } from 'commander';

const mandatory = new WeakMap<Command, string[]>();

/** Adds `flags` to `command` as an option that must be given (like `requiredOption`). */
export function requiredFlag(command: Command, flags: string, description?: string): Command {
  command.option(flags, description);
  const name = command.options.at(-1)!.attributeName();
  const names = mandatory.get(command);
  if (names) {
    names.push(name);
    return command;
  }
  mandatory.set(command, [name]);
  return command.hook('preAction', (cmd) => {
    const missing = cmd.options.filter(
      (o) =>
        mandatory.get(cmd)!.includes(o.attributeName()) &&
        cmd.getOptionValue(o.attributeName()) === undefined,
    );
    if (missing.length)
      cmd.error(missing.map((o) => `error: required option '${o.flags}' not specified`).join('\n'), {
        code: 'commander.missingMandatoryOptionValue',
        exitCode: 1,
      });
  });
}
