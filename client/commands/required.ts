/**
 * Mandatory flags checked after commander's own checks. Commander's `requiredOption` is checked before
 * unknown options, so `dura execute uw.edu-1 --onn 2026-12-01` said only that `--on` was missing and never
 * named the `--onn` typed. Here the flag is an ordinary option, and one `preAction` hook reports every
 * missing mandatory flag of the command, each on its own line, in commander's words.
 */
import type { Command, Option } from 'commander';

/** Each command's mandatory flags; its one hook reads this list. */
const mandatory = new WeakMap<Command, Option[]>();

/** Adds `flags` to `command` as an option that must be given (like `requiredOption`). */
export function requiredFlag(command: Command, flags: string, description?: string): Command {
  command.option(flags, description);
  const option = command.options.at(-1)!;
  const options = mandatory.get(command);
  if (options) {
    options.push(option);
    return command;
  }
  const all = [option];
  mandatory.set(command, all);
  return command.hook('preAction', (cmd) => {
    const missing = all.filter((o) => cmd.getOptionValue(o.attributeName()) === undefined);
    if (missing.length)
      cmd.error(missing.map((o) => `error: required option '${o.flags}' not specified`).join('\n'), {
        code: 'commander.missingMandatoryOptionValue',
        exitCode: 1,
      });
  });
}
