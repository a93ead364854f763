/** `dura check <email>`: is this address covered by the Registered Institutions list, and what next. */
import type { Command } from 'commander';
import { TIERS } from '../../common/agreement';
import type { Coverage, TierCoverage } from '../../common/coverage';
import { emit, UserError, type OutputOptions } from '../output';
import { withStore } from '../records';

interface CheckFlags extends OutputOptions {
  tier?: string[];
}

export function registerCheckCommands(program: Command): void {
  program
    .command('check <email>')
    .description('is the address covered for the tier(s), by which rule, and the next step')
    .option(
      '--tier <tier>',
      `${TIERS.join(' or ')}; repeat for both (default registered; controlled implies registered)`,
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  dura check ada@uw.edu\n  dura check ada@med.uw.edu --tier controlled --json',
    )
    .action(async (email: string, flags: CheckFlags) => {
      // Every problem at once: each tier typed wrong, and the address.
      const typed = flags.tier ?? [];
      const { tierOf } = await import('../../common/registry-file-schema');
      const tiers = typed.flatMap((t) => tierOf(t) ?? []);
      const bad = typed.filter((t) => !tierOf(t));
      const { parseEmail } = await import('../../common/coverage');
      const problems = [
        ...(parseEmail(email) ? [] : [`${email.trim()}: not an e-mail address`]),
        ...(bad.length
          ? [`--tier: expected ${TIERS.join(' or ')} (got ${bad.map((t) => JSON.stringify(t)).join(', ')})`]
          : []),
      ];
      if (problems.length) throw new UserError(problems.join('\n'));
      const { checkCoverage } = await import('../../activities/records/coverage');
      const { isPersonalDomain, personalNextStep } = await import('../personal-mail');
      const result = await withStore(async (store) => {
        const coverage = await checkCoverage(store, email, tiers);
        // As the web's "Am I covered?" words it: no request for a provider's domain.
        const uncovered = !coverage.tiers.some((t) => t.covered);
        if (uncovered && (await isPersonalDomain(store, coverage.domain)))
          coverage.nextStep = personalNextStep(coverage.domain);
        return coverage;
      });
      emit(flags, result, () => coverageView(result));
    });
}

/** The answer for a person: the institution, each tier and why, the likely parent, the next step. */
export function coverageView(c: Coverage): string {
  const rows: Array<[string, string]> = [
    [
      'Institution',
      c.institution
        ? `${c.institution.name} (${c.institution.id})`
        : `not listed (${c.domain} is not on the Registered Institutions list)`,
    ],
    ...c.tiers.map((t): [string, string] => [t.tier, tierWhy(t, c.institution !== null)]),
    ...(c.likelyParent
      ? [['Likely parent', `${c.likelyParent.name} (${c.likelyParent.id})`] as [string, string]]
      : []),
    ...(c.inProcess
      ? [['In process', `${c.inProcess.agreementId} (${c.inProcess.stage})`] as [string, string]]
      : []),
    // With an agreement in process, the words alone (`--json` keeps the code): a trial read
    // `submit-request:` before "you asked already" as an instruction to ask again.
    ['Next step', c.inProcess ? c.nextStep : `${c.next}: ${c.nextStep}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return [c.email, ...rows.map(([label, value]) => `  ${label.padEnd(width)}${value}`)].join('\n');
}

function tierWhy(t: TierCoverage, listed: boolean): string {
  if (t.because === 'domain') return 'covered: any address at its domains (rule: domains)';
  if (t.because === 'address') return 'covered: this address is listed (rule: individual)';
  if (t.lapsedOn) return `not covered: lapsed on ${t.lapsedOn} (its agreement ended unrenewed)`;
  if (t.rule === 'individual')
    return 'not covered: individual agreements required, and this address is not listed';
  return listed ? 'not covered: the institution is not listed for this tier' : 'not covered: not listed';
}
