/**
 * `dura`, the access team's CLI. Commands load what they need when they run, so that start-up stays
 * fast. Exit codes: 0 success, 1 user error (one line per problem on stderr), 2 Temporal or the database
 * unreachable (docs/cli.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Command, CommanderError } from 'commander';
import { fail, UserError } from './output';
import { registerAgreementCommands } from './commands/agreements';
import { registerCheckCommands } from './commands/check';
import { registerCodecCommands } from './commands/codec';
import { registerDoctorCommands } from './commands/doctor';
import { registerControlCommands } from './commands/controls';
import { registerIntakeCommands } from './commands/intake';
import { registerLinkCommands } from './commands/links';
import { registerRecordCommands } from './commands/records';
import { registerRegistrationCommands } from './commands/registration';
import { registerRenewCommands } from './commands/renew';
import { registerScheduleCommands } from './commands/schedule';
import { registerReportCommands } from './commands/report';
import { registerWebCommands } from './commands/web';
import { DuraCommand, flagProblems, RefusedFlags } from './commands/required';
import { statusFast } from './status-fast';
import { variableNameProblems } from '../common/env-names';

const program = new DuraCommand('dura')
  .description('Data Use and Registration Agreements for the All of Us Research Program')
  .showSuggestionAfterError()
  // Commander's own complaints (unknown option, bad choice, missing value) read like every other one.
  // Set before the commands are added: each inherits it.
  .configureOutput({ outputError: (text, write) => write(commanderComplaint(text)) })
  .version(packageVersion(), '-V, --version', 'print the version')
  .exitOverride();

// The command that ran, for naming its flags in a user error (flagsNamed).
let running: Command | undefined;
program.hook('preAction', (_program, action) => {
  running = action;
  DuraCommand.refuseIfAny(action); // a bad choice among other problems: all of them, and nothing runs
  checkVariableNames(process.env);
});

/**
 * A misspelt variable is refused (a `DURA_` name dura does not read) or warned of (a near miss of
 * another of dura's names) before anything runs: the setting it was meant to make would be missing.
 */
function checkVariableNames(env: NodeJS.ProcessEnv): void {
  const { unknown, nearMisses } = variableNameProblems(env);
  for (const line of nearMisses) process.stderr.write(`dura: warning: ${line}\n`);
  if (unknown.length) throw new UserError(unknown.join('\n'));
}

registerAgreementCommands(program);
registerControlCommands(program);
registerRenewCommands(program);
registerIntakeCommands(program);
registerRecordCommands(program);
registerRegistrationCommands(program);
registerCheckCommands(program);
registerScheduleCommands(program);
registerReportCommands(program);
registerCodecCommands(program);
registerWebCommands(program);
registerLinkCommands(program);
registerDoctorCommands(program);

/**
 * Commander's complaint as every other one reads (docs/cli.md, "Output"): `dura: ` first, and a bad
 * choice as `dura: --initiation: expected auto or manual (got "foo")` rather than commander's
 * `option '--initiation <mode>' argument 'foo' is invalid. Allowed choices are auto, manual.`
 */
function commanderComplaint(text: string): string {
  // One line per problem: commander's suggestion joins the line it is about.
  const lines = text.replace(/\n\(Did you mean (.*)\?\)/g, ' (did you mean $1?)').split('\n');
  return lines
    .map((line) => {
      const choice =
        /^error: option '(-[^ ,']+)[^']*' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/.exec(
          line,
        );
      // A mandatory flag left out, in the words every other problem uses (`dura: --reason: required`).
      const required = /^error: required option '(-[^ ,']+)[^']*' not specified$/.exec(line);
      if (required) return `dura: ${required[1]}: required`;
      // Two flags that exclude each other, worded as dura's own checks word it (`report`).
      const both = /^error: option '(-[^ ,']+)[^']*' cannot be used with option '(-[^ ,']+)[^']*'$/.exec(
        line,
      );
      if (both) return `dura: ${both[1]} and ${both[2]}: choose one`;
      if (!choice) return line.replace(/^error: /, 'dura: ');
      const [, flag, typed, choices] = choice;
      const expected = new Intl.ListFormat('en', { type: 'disjunction' }).format(choices!.split(', '));
      return `dura: ${flag}: expected ${expected} (got ${JSON.stringify(typed)})`;
    })
    .join('\n');
}

function run(): void {
  program.parseAsync(process.argv).catch(async (err: unknown) => {
    if (err instanceof RefusedFlags) {
      // Every unknown option, and whatever else is wrong with what was typed, before anything runs.
      process.stderr.write(commanderComplaint((await flagProblems(err)).join('\n') + '\n'));
      process.exit(1);
    }
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its one-line complaint otherwise.
      process.exit(err.exitCode === 0 ? 0 : 1);
    }
    fail(running && err instanceof UserError ? new UserError(flagsNamed(err.message, running)) : err);
  });
}

/**
 * Fields that the workflow's update validators and the registry name in their messages, as the person
 * typed them: `signingOfficial.email: not an e-mail address` from `set-official --email` is
 * `--email: …`. Keyed by the command's path (`institutions add-official`).
 */
const TYPED_AS: Record<string, Record<string, string>> = {
  execute: { signedOn: '--on', documentRef: '--document' },
  cancel: { reason: '--reason' },
  decline: { reason: '--reason' },
  'set-official': {
    'signingOfficial.name': '--name',
    'signingOfficial.email': '--email',
    'signingOfficial.title': '--title',
  },
  'add-requester': { 'requester.name': '--name', 'requester.email': '--email' },
  'pause-reminders': { until: '--until' },
  'set-cadence': { days: '--days' },
  'institutions add-official': { name: '--name', title: '--title' },
};

/** `message` with each line's leading field (`until: …`) named as the flag typed (`--until: …`). */
function flagsNamed(message: string, command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  const fields = TYPED_AS[names.join(' ')] ?? {};
  // A message may lead with a value typed instead (`x@: not an e-mail address`): leave those be.
  const typed = new Set([...command.args, ...Object.values(command.opts()).map(String)]);
  return message
    .split('\n')
    .map((line) => {
      const field = /^([\w.]+): /.exec(line)?.[1];
      const flag = field && !typed.has(field) ? fields[field] : undefined;
      return flag ? flag + line.slice(field!.length) : line;
    })
    .join('\n');
}

/** package.json's version: from client/ (tsx) or lib/client/ (built). */
function packageVersion(): string {
  for (const up of ['..', '../..']) {
    try {
      const file = path.join(__dirname, up, 'package.json');
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dura' && pkg.version) return pkg.version;
    } catch {
      // not there: one level up, then
    }
  }
  return 'unknown';
}

// `dura status <agreement> [--json]` is answered on the lean path when it can be (status-fast.ts);
// bin/dura.js tries that before it loads this file, and then it hands straight back.
statusFast(process.argv.slice(2)).then((answered) => answered || run(), fail);
