/**
 * Every problem with a command's flags at once (docs/cli.md, "Output").
 *
 * - Mandatory flags are checked after commander's own checks. Commander's `requiredOption` is checked
 *   before unknown options, so `dura execute uw.edu-1 --onn 2026-12-01` said only that `--on` was
 *   missing and never named the `--onn` typed. Here the flag is an ordinary option, and one `preAction`
 *   hook reports every missing mandatory flag of the command, each on its own line, in commander's words.
 * - Commander refuses the first unknown option alone, and nothing else typed is checked. `DuraCommand`
 *   stops it there instead (RefusedFlags) and `flagProblems` lists every unknown option, in commander's
 *   words and with its suggestion, then the mandatory flags left out and what the command's own check
 *   (`checkFlags`) finds in the rest: `dura request --requester-emial a@uw.edu --domain x` names the
 *   typo, the missing `--requester-email` and the bad `--domain` together. Nothing runs.
 */
import { Command, InvalidArgumentError, type Option } from 'commander';
import { UserError } from '../output';

/** Each command's mandatory flags; its one hook reads this list. */
const mandatory = new WeakMap<Command, Option[]>();
/** Each command's own check of its parsed flags (no side effects): its problems, one a line. */
const checks = new WeakMap<Command, (options: Record<string, unknown>) => Promise<unknown>>();

const missingFlags = (command: Command): string[] =>
  (mandatory.get(command) ?? [])
    .filter((o) => command.getOptionValue(o.attributeName()) === undefined)
    .map((o) => `error: required option '${o.flags}' not specified`);

/** Adds `flags` to `command` as an option that must be given (like `requiredOption`). */
export function requiredFlag(command: Command, flags: string, description?: string): Command {
  command.option(flags, description);
  const option = command.options.at(-1)!;
  const options = mandatory.get(command);
  if (options) {
    options.push(option);
    return command;
  }
  mandatory.set(command, [option]);
  return command.hook('preAction', (cmd) => {
    const missing = missingFlags(cmd);
    if (missing.length)
      cmd.error(missing.join('\n'), { code: 'commander.missingMandatoryOptionValue', exitCode: 1 });
  });
}

/**
 * Registers `check` (which throws UserError listing problems, like the command's action would before it
 * starts anything) to be run beside unknown options, so that they are reported with the rest.
 */
export function checkFlags<T>(command: Command, check: (options: T) => Promise<unknown>): void {
  checks.set(command, check as (options: Record<string, unknown>) => Promise<unknown>);
}

/**
 * A command refused for what was typed, before it ran: commander's complaint for each unknown option,
 * in its words (the values refused while parsing are on the command: DuraCommand.refusals).
 */
export class RefusedFlags extends Error {
  constructor(
    readonly command: Command,
    readonly complaints: string[],
  ) {
    super(complaints.join('\n'));
  }
}

type Refusal = { unknownOption(this: Command, flag: string): void };

/** Commander's own complaint about one unknown flag (with its "Did you mean" suggestion). */
function commanderSays(command: Command, flag: string): string {
  let said = `error: unknown option '${flag}'`;
  command.error = ((message: string) => void (said = message)) as Command['error'];
  try {
    (Command.prototype as unknown as Refusal).unknownOption.call(command, flag);
  } finally {
    Reflect.deleteProperty(command, 'error');
  }
  // A flag cut short names the one it begins (`--institution`: commander's nearest was `--initiation`).
  const typed = flag.split('=')[0]!;
  const begun = command.options.flatMap((o) => (o.long?.startsWith(`${typed}-`) ? [o.long] : []));
  return begun.length === 1 ? `error: unknown option '${flag}'\n(Did you mean ${begun[0]}?)` : said;
}

/**
 * The words typed after a flag that takes one value, when they are more than one: an address each for
 * two addresses, else the value's own words typed without quotes (`--institution-name University of
 * Washington`), shown quoted after `flag`. Undefined for one word or none.
 */
function valueWords(flag: string, [first, ...rest]: string[]): string | undefined {
  if (first === undefined || !rest.length) return undefined;
  // Two addresses after --email are two people, not one value with a space (a trial's advice to quote).
  if (first.includes('@') && rest.some((w) => w.includes('@')))
    return `error: ${flag}: one address each time: ${flag} ${first}, then ${flag} ${rest.join(' ')}`;
  return (
    `error: ${flag}: ${JSON.stringify(first)} is followed by ${JSON.stringify(rest.join(' '))}, which no ` +
    `flag takes: a value with spaces needs quotes: ${flag} "${[first, ...rest].join(' ')}"`
  );
}

/**
 * A Command whose subcommands collect every problem commander finds in what was typed instead of
 * stopping at the first: unknown options, and values an option refuses (a bad choice).
 */
export class DuraCommand extends Command {
  /** Values refused while parsing, in commander's words (`error: option '--tier <tier>' argument …`). */
  readonly refusals: string[] = [];

  override createCommand(name?: string): Command {
    return new DuraCommand(name);
  }

  /**
   * Each option's parser (`choices` included) records a refused value and parsing goes on. A choice is
   * taken in any case and without the spaces around it (`--stage Awaiting-Signature`): every choice dura
   * offers is lower case, and what was typed is echoed as typed when refused.
   */
  override addOption(option: Option): this {
    const parse = option.parseArg;
    const anyCase = option.argChoices?.every((choice) => choice === choice.toLowerCase()) ?? false;
    if (parse)
      option.parseArg = <T>(value: string, previous: T): T => {
        try {
          return parse(anyCase ? value.trim().toLowerCase() : value, previous);
        } catch (err) {
          if (!(err instanceof InvalidArgumentError)) throw err;
          this.refusals.push(
            `error: option '${option.flags}' argument '${value}' is invalid. ${err.message}`,
          );
          return previous;
        }
      };
    return super.addOption(option);
  }

  /** Called by commander with the first unknown option; the rest follow it in `args`. */
  unknownOption(flag: string): void {
    const rest = this.args.slice(Math.max(0, this.args.indexOf(flag)));
    const flags = rest.filter((arg) => /^-[^\d]/.test(arg));
    const complaints = flags.map((f) => commanderSays(this, f));
    // A misspelt flag with a value typed without quotes: the quoting named now, not on the next try.
    flags.forEach((flag, i) => {
      const meant = /Did you mean (--[\w-]+)\?/.exec(complaints[i]!)?.[1];
      const option = this.options.find((o) => o.long === meant && (o.required || o.optional) && !o.variadic);
      const words = rest.slice(rest.indexOf(flag) + 1);
      const end = words.findIndex((w) => w.startsWith('-'));
      const unquoted = option && valueWords(meant!, end < 0 ? words : words.slice(0, end));
      if (unquoted) complaints.push(unquoted);
    });
    throw new RefusedFlags(this, complaints);
  }

  /**
   * Commander's "too many arguments", naming the words it did not expect. After a flag's value they are
   * that value's own words typed without quotes (`--institution-name University of Washington`), so
   * the message shows the value quoted. Called by commander (its `_excessArguments`).
   */
  _excessArguments(received: string[]): void {
    const expected = this.registeredArguments.length;
    const rootOf = (c: Command): Command => (c.parent ? rootOf(c.parent) : c);
    const raw = (rootOf(this) as unknown as { rawArgs: string[] }).rawArgs ?? [];
    // Each flag that takes one value and is followed by more words than that: one problem each.
    const problems: string[] = [];
    raw.forEach((flag, at) => {
      const option = this.options.find((o) => o.long === flag && (o.required || o.optional) && !o.variadic);
      if (!option) return;
      let end = at + 1;
      while (end < raw.length && !raw[end]!.startsWith('-')) end++;
      const problem = valueWords(flag, raw.slice(at + 1, end));
      if (problem) problems.push(problem);
    });
    // A flag pasted from a document, whose word processor made its two hyphens a dash (—on, –on).
    for (const word of received.slice(expected))
      if (/^[\u2012-\u2015\u2212]\S/.test(word))
        problems.push(
          `error: ${word.split('=')[0]}: a dash where a flag's two hyphens go: type --${word.slice(1).split('=')[0]}`,
        );
    if (!problems.length) {
      const extra = JSON.stringify(received.slice(expected).join(' '));
      const takes = expected === 0 ? 'no arguments' : `${expected} argument${expected === 1 ? '' : 's'}`;
      const names = this.registeredArguments.map((a) => `<${a.name()}>`).join(' ') || 'only flags';
      // An address typed where --email goes (a trial's `remove-requester uw.edu grace@uw.edu`).
      const address = received.slice(expected).find((w) => w.includes('@'));
      const email =
        address && this.options.some((o) => o.long === '--email')
          ? `; an address goes after --email: --email ${address}`
          : '';
      problems.push(`error: unexpected ${extra}: '${this.name()}' takes ${takes} (${names})${email}`);
    }
    this.error(problems.join('\n'), { code: 'commander.excessArguments', exitCode: 1 });
  }

  /** For the root's preAction hook: stops a command whose values were refused before it runs. */
  static refuseIfAny(command: Command): void {
    if (command instanceof DuraCommand && command.refusals.length) throw new RefusedFlags(command, []);
  }
}

/** Every problem of a refused command in commander's `error: ` form, one a line. */
export async function flagProblems(refused: RefusedFlags): Promise<string[]> {
  const { command } = refused;
  const problems = [
    ...refused.complaints,
    ...(command instanceof DuraCommand ? command.refusals : []),
    ...missingFlags(command),
  ];
  try {
    await checks.get(command)?.(command.opts());
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    problems.push(...err.message.split('\n').flatMap((line) => (line ? [`error: ${line}`] : [])));
  }
  return problems;
}
