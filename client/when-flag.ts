// A date or time typed for a flag (`--on`, `--until`), read by common/when.ts; loaded on use.
import { readWhen, type When, type WhenOptions } from '../common/when';
import { UserError } from './output';

/** The flag's reading, or a UserError `<flag>: <problem>` naming what was typed. */
export function whenFlag(value: string, flag: string, options: WhenOptions = {}): When {
  const read = readWhen(value, options);
  if ('problem' in read) throw new UserError(`${flag}: ${read.problem}`);
  return read;
}
