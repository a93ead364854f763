/**
 * `dura`, the access team's CLI. Commands load what they need when they run, so that start-up stays
 * fast. Exit codes: 0 success, 1 user error (one line on stderr), 2 Temporal or the database unreachable.
 */
import { Command, CommanderError } from 'commander';
import { fail } from './output';
import { registerAgreementCommands } from './commands/agreements';
import { registerControlCommands } from './commands/controls';
import { registerRecordCommands } from './commands/records';

const program = new Command('dura')
  .description('Data Use and Registration Agreements for the All of Us Research Program')
  .showSuggestionAfterError()
  .exitOverride();

registerAgreementCommands(program);
registerControlCommands(program);
registerRecordCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // Help and version exit 0; commander has already printed its one-line complaint otherwise.
    process.exit(err.exitCode === 0 ? 0 : 1);
  }
  fail(err);
});
