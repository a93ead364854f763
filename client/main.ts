/**
 * `dura`, the access team's CLI. Commands load what they need when they run, so that start-up stays
 * fast. Exit codes: 0 success, 1 user error (one line on stderr), 2 Temporal or the database unreachable.
 */
import { Command, CommanderError } from 'commander';
import { fail } from './output';
import { registerAgreementCommands } from './commands/agreements';
import { registerCheckCommands } from './commands/check';
import { registerCodecCommands } from './commands/codec';
import { registerControlCommands } from './commands/controls';
import { registerIntakeCommands } from './commands/intake';
import { registerRecordCommands } from './commands/records';
import { registerScheduleCommands } from './commands/schedule';
import { registerReportCommands } from './commands/report';
import { statusFast } from './status-fast';

const program = new Command('dura')
  .description('Data Use and Registration Agreements for the All of Us Research Program')
  .showSuggestionAfterError()
  // Commander's own complaints (unknown option, bad choice, missing value) read like every other one.
  // Set before the commands are added: each inherits it.
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'dura: ')) })
  .exitOverride();

registerAgreementCommands(program);
registerControlCommands(program);
registerIntakeCommands(program);
registerRecordCommands(program);
registerCheckCommands(program);
registerScheduleCommands(program);
registerReportCommands(program);
registerCodecCommands(program);

function run(): void {
  program.parseAsync(process.argv).catch((err: unknown) => {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its one-line complaint otherwise.
      process.exit(err.exitCode === 0 ? 0 : 1);
    }
    fail(err);
  });
}

// `dura status <agreement> [--json]` is answered on the lean path when it can be (status-fast.ts);
// bin/dura.js tries that before it loads this file, and then it hands straight back.
statusFast(process.argv.slice(2)).then((answered) => answered || run(), fail);
