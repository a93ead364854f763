/** `dura schedule ensure|show|pause|resume|trigger`: the automated weekly digest to the access team. */
import type { Command } from 'commander';
import { emit, type OutputOptions } from '../output';

async function setup() {
  const { loadConfig } = await import('../../common/config');
  const config = loadConfig();
  const { connect } = await import('../temporal');
  return { config, client: await connect(config), schedule: await import('../schedule') };
}

function example(command: Command, ...lines: string[]): Command {
  return command.option('--json', 'print JSON').addHelpText('after', `\nExample:\n  ${lines.join('\n  ')}`);
}

export function registerScheduleCommands(program: Command): void {
  const group = program
    .command('schedule')
    .description(
      'the automated schedule: a digest of every open agreement to the access team, Mondays 09:00 ET',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  dura schedule ensure\n  dura schedule show\n  dura schedule trigger',
    );

  example(
    group
      .command('ensure')
      .description('create the schedule, or bring it up to date (idempotent; keeps a pause)'),
    'dura schedule ensure',
  ).action(async (flags: OutputOptions) => {
    const { config, client, schedule } = await setup();
    const result = await schedule.ensureDigestSchedule(client, config);
    emit(flags, result, () => `${result.scheduleId}: ${result.outcome}${result.paused ? ' (paused)' : ''}`);
  });

  example(
    group.command('show').description('the schedule in words, paused or not, its next and recent runs'),
    'dura schedule show',
    'dura schedule show --json',
  ).action(async (flags: OutputOptions) => {
    const { client, schedule } = await setup();
    const { description, recentRuns } = await schedule.describeDigestSchedule(client);
    const { scheduleView, scheduleText } = await import('../schedule-view');
    const view = scheduleView(description, recentRuns);
    emit(flags, view, () => scheduleText(view));
  });

  example(
    group
      .command('pause')
      .description('no digests until `dura schedule resume`')
      .option('--note <text>', 'why, shown by `dura schedule show`'),
    'dura schedule pause --note "Team offsite; back on the 14th"',
  ).action(async (flags: OutputOptions & { note?: string }) => {
    const { client, schedule } = await setup();
    const note = flags.note?.trim() || 'paused with dura schedule pause';
    await schedule.pauseDigestSchedule(client, note);
    emit(flags, { scheduleId: schedule.DIGEST_SCHEDULE_ID, paused: true, note }, () => `paused (${note})`);
  });

  example(
    group
      .command('resume')
      .description('digests again every Monday')
      .option('--note <text>', 'shown by `dura schedule show`'),
    'dura schedule resume',
  ).action(async (flags: OutputOptions & { note?: string }) => {
    const { client, schedule } = await setup();
    const note = flags.note?.trim() || 'resumed with dura schedule resume';
    // Run twice, the second says nothing changed (a trial read "resumed" both times).
    const resumed = await schedule.resumeDigestSchedule(client, note);
    emit(
      flags,
      {
        scheduleId: schedule.DIGEST_SCHEDULE_ID,
        paused: false,
        ...(resumed ? { note } : { changed: false }),
      },
      () => (resumed ? 'resumed' : 'not paused; nothing changed'),
    );
  });

  example(
    group
      .command('trigger')
      .description(
        "send a digest now (also while paused), and the month's registration reports not sent yet",
      ),
    'dura schedule trigger',
  ).action(async (flags: OutputOptions) => {
    const { config, client, schedule } = await setup();
    await schedule.triggerDigest(client);
    emit(
      flags,
      { scheduleId: schedule.DIGEST_SCHEDULE_ID, triggered: true },
      // The month's first run sends the registration reports (a trial's mid-week trigger surprised them).
      () =>
        `triggered: the digest goes to ${config.ACCESS_TEAM_EMAIL} in a moment, and the institutions' ` +
        'registration reports for this month with it where they have not gone yet',
    );
  });
}
