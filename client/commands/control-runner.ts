/**
 * How a control runs (client/commands/controls.ts lists them): its flags read, the agreement's live
 * status asked first where the control looks at it (unchanged, replaces, refuses, amend), then the update
 * sent, riding out a worker that comes and goes, and its answer printed.
 */
import type { Command } from 'commander';
import type { AgreementAnswer, AgreementStatus } from '../../common/agreement';
import type { AgreementUpdate } from '../agreement-handle';
import { emit, UserError, type OutputOptions } from '../output';
import { checkFlags, requiredFlag } from './required';
import { once, repeatedFlags } from './request-flags';

export type Flags = OutputOptions & Record<string, string | boolean | undefined>;

export type Sent = AgreementUpdate & { said?: string[] };

export interface Control {
  name: string;
  description: string;
  options?: [flags: string, description: string, required?: boolean][];
  example: string;
  /**
   * The update's name and argument, from the command's flags; a UserError for a bad flag. `said`: lines
   * for stderr once the agreement took the update (how a value was read), not before.
   */
  update: (flags: Flags) => Sent | Promise<Sent>;
  /**
   * Asked of the agreement's live status before the update is sent: a sentence when the update would
   * change nothing (then nothing is sent and the command says so, exit 0), else null.
   */
  unchanged?: (status: AgreementStatus, flags: Flags) => string | null;
  /** Asked of that status too: what the update replaces, said on stderr before it is sent (or null). */
  replaces?: (status: AgreementStatus) => Promise<string | null>;
  /**
   * Asked of that status too: a problem that refuses the update (nothing sent, exit 1), or null.
   * `statusOf` reads another agreement's status (the one a renewal renews).
   */
  refuses?: {
    /** Whether this update is checked at all (the status is read only then: a query before sending). */
    when: (update: AgreementUpdate) => boolean;
    problem: (
      update: AgreementUpdate,
      status: AgreementStatus,
      statusOf: (id: string) => Promise<AgreementStatus>,
    ) => Promise<string | null>;
  };
  /** Asked of that status too: the update to send instead, with what it keeps said on stderr. */
  amend?: (update: AgreementUpdate, status: AgreementStatus, flags: Flags) => AgreementUpdate;
  /** What the done line says beyond the stage (and any warning, on stderr). */
  done?: (status: AgreementAnswer, flags: Flags, before?: AgreementAnswer) => Promise<string>;
  /** Whether `done` reads the history, which an update's answer leaves out (control-answer.ts). */
  readsHistory?: true;
  /** Whether `done` reads `before`, the live status (a query before sending; its messages in flight). */
  readsBefore?: true;
}

/** Registers each control as `dura <name> <agreement>`. */
export function registerControls(program: Command, controls: Control[]): void {
  for (const control of controls) {
    const command = program.command(`${control.name} <agreement>`).description(control.description);
    // Every value typed for each flag, as `dura request` keeps them (request-flags.ts `once`): commander
    // keeps the last of a flag typed twice, and a trial's `remove-requester --email a --email b` removed
    // b alone, unsaid.
    for (const [flags, description, required] of control.options ?? []) {
      if (required) requiredFlag(command, flags, description);
      else command.option(flags, description);
      const option = command.options.at(-1)!;
      if (option.required || option.optional) option.argParser(once(option.long!));
    }
    const repeated = () =>
      [...repeatedFlags(() => `${control.name} takes one`)].map(([flag, line]) => `${flag}: ${line}`);
    // A mistyped flag is reported with what the command's own checks find in the rest (required.ts).
    checkFlags(command, (flags: Flags) => Promise.resolve(control.update(flags)));
    command
      .option('--json', 'print JSON')
      .addHelpText('after', `\nExample:\n  ${control.example}`)
      .action(async (id: string, flags: Flags) => {
        // A flag typed twice is a problem beside those the flags' own checks find: all at once.
        const twice = repeated();
        const sent: Sent = await Promise.resolve()
          .then(() => control.update(flags))
          .catch((err: unknown) => {
            if (twice.length && err instanceof UserError)
              throw new UserError([...twice, err.message].join('\n'));
            throw err;
          });
        if (twice.length) throw new UserError(twice.join('\n'));
        const { said = [], ...taken } = sent;
        let update: AgreementUpdate = taken;
        const { session } = await import('../temporal');
        const { config, client } = await session();
        // A control sent without the engine's key was carried out, then read as failed (a trial's
        // remind-now sent the reminder and exited 2): refused before sending, as `request` is.
        const { engineEncryptionProblem } = await import('../engine-encryption');
        const { withStore } = await import('../records');
        const mismatch = await withStore((store) => engineEncryptionProblem(store.db, config)).catch(
          () => null, // records out of reach: the control goes as before (its status read falls back)
        );
        if (mismatch) throw new UserError(`${mismatch}; nothing was sent`);
        // An address put as its agreement's id once: the status read and the update then agree on it.
        id = await (await import('../typed-agreement')).asAsked(config, id);
        const { fetchStatus, updateAgreement } = await import('../agreement-handle');
        const { waitingLine } = await import('../update-retry');
        const checked = control.refuses?.when(update) ? control.refuses : undefined;
        let before: AgreementAnswer | undefined; // the agreement as it was, where it was read first
        if (control.unchanged || control.replaces || control.amend || control.readsBefore || checked) {
          const { status, source } = await fetchStatus(client, config, id);
          if (source === 'workflow') before = status;
          const said = source === 'workflow' ? control.unchanged?.(status, flags) : null;
          if (said) return emit(flags, status, () => `${status.agreementId}: ${said}`);
          const statusOf = async (other: string) => (await fetchStatus(client, config, other)).status;
          const refused = source === 'workflow' ? await checked?.problem(update, status, statusOf) : null;
          if (refused) throw new UserError(`${refused}; nothing was sent`);
          const replaced = source === 'workflow' ? await control.replaces?.(status) : null;
          if (replaced) process.stderr.write(`dura: ${replaced}\n`);
          if (source === 'workflow' && control.amend) update = control.amend(update, status, flags);
        }
        const answer = await updateAgreement<AgreementAnswer>(
          client,
          config,
          id,
          { ...update, command: control.name },
          {
            onWait: (reason, progress) => process.stderr.write(`dura: ${waitingLine(reason, progress)}\n`),
          },
        );
        if (answer.outcome === 'rejected') throw new UserError(answer.reason);
        for (const line of said) process.stderr.write(line);
        const status: AgreementAnswer =
          flags.json || control.readsHistory
            ? await (await import('../control-answer')).withHistory(client, config, answer.value)
            : answer.value;
        const more = control.done ? await control.done(status, flags, before) : '';
        emit(
          flags,
          status,
          () => `${status.agreementId}: ${control.name} done; ${more}stage ${status.stage}`,
        );
      });
  }
}
