/**
 * The registry's changes, `dura institutions add-domain`, `remove-domain`, `set-rule`, `add-address`,
 * `remove-address`, `add-official`, `remove-official`, `set-contracting-contact`, `set-report-contact`:
 * an institution's domains, each tier's membership rule and listed addresses, its signing officials and
 * its contacts. An institution is named by any of its domains. A refused change is a user error (exit 1)
 * naming what was typed.
 */
import { Option, type Command } from 'commander';
import { OPEN_STAGES, TIERS } from '../../common/agreement';
import type { MembershipRule } from '../../common/coverage';
import type { RecordsStore, RegistryChange } from '../../activities/records/store';
import { emit, UserError, type OutputOptions } from '../output';
import { withStore } from '../records';
import { requiredFlag } from './required';

/** The store's work, with a refused change (RegistryError) as a user error. */
async function registry<T>(work: (store: RecordsStore) => Promise<T>): Promise<T> {
  try {
    return await withStore(work);
  } catch (err) {
    if ((err as Error)?.name === 'RegistryError') throw new UserError((err as Error).message);
    throw err;
  }
}

/** Prints a change: `done` when it changed something, else `same` and "nothing changed". */
function changed(
  options: OutputOptions,
  result: RegistryChange,
  [done, same]: [string, string],
  extra: object = {},
): void {
  emit(options, { ...result, ...extra }, () =>
    result.changed ? `${result.institution}: ${done}` : `${result.institution}: ${same}; nothing changed`,
  );
}

// Not imported from common/coverage: that loads zod and tldts, and this file is on every command's path.
const MEMBERSHIP_RULES = ['domains', 'individual'] as const satisfies readonly MembershipRule[];

interface AddressFlags extends OutputOptions {
  tier: string;
  agreement?: string;
}

const low = (text: string) => text.trim().toLowerCase();

const tierOption = () => new Option('--tier <tier>', TIERS.join(' or ')).choices(TIERS).makeOptionMandatory();

/** The change commands, registered on `dura institutions` (after `show`). */
export function registerInstitutionChangeCommands(institutions: Command): void {
  institutions
    .command('add-domain <institution> <domain>')
    .description('add an e-mail domain to the institution (matched exactly: a subdomain is its own domain)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions add-domain uw.edu washington.edu')
    .action(async (institution: string, domain: string, options: OutputOptions) => {
      const { result, inProcess } = await registry(async (s) => ({
        result: await s.addInstitutionDomain(institution, domain),
        inProcess: (await s.agreementSnapshots({ domain })).filter((a) =>
          (OPEN_STAGES as readonly string[]).includes(a.stage),
        ),
      }));
      // An agreement of the domain's own goes on reminding its official; requests now go to the
      // institution's (a trial's med.uw.edu-1 kept reminding after `add-domain uw.edu med.uw.edu`).
      for (const a of result.changed ? inProcess : [])
        process.stderr.write(
          `dura: warning: ${a.agreement_id} (${a.stage}, ${a.tiers ?? ''}) is in process for ${low(domain)}, whose ` +
            `requests now go to ${result.institution}'s agreements: if it is no longer needed, ` +
            `dura cancel ${a.agreement_id} --reason "…"\n`,
        );
      changed(
        options,
        result,
        [`added the domain ${low(domain)}`, `${low(domain)} is already one of its domains`],
        { domain },
      );
    });

  institutions
    .command('remove-domain <institution> <domain>')
    .description('remove an e-mail domain from the institution (not its primary domain)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions remove-domain uw.edu washington.edu')
    .action(async (institution: string, domain: string, options: OutputOptions) => {
      const result = await registry((s) => s.removeInstitutionDomain(institution, domain));
      changed(
        options,
        result,
        [`removed the domain ${low(domain)}`, `${low(domain)} is not one of its domains`],
        { domain },
      );
    });

  institutions
    .command('set-rule <institution>')
    .description('who a tier covers: any address at its domains, or only the addresses listed (individual)')
    .addOption(tierOption())
    .addOption(
      new Option('--rule <rule>', MEMBERSHIP_RULES.join(' or '))
        .choices(MEMBERSHIP_RULES)
        .makeOptionMandatory(),
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  dura institutions set-rule uw.edu --tier controlled --rule individual',
    )
    .action(async (institution: string, options: OutputOptions & { tier: string; rule: string }) => {
      const result = await registry((s) => s.setTierRule(institution, options.tier, options.rule));
      changed(
        options,
        result,
        [
          `the ${options.tier} tier's rule is now ${options.rule}`,
          `the ${options.tier} tier's rule is already ${options.rule}`,
        ],
        {
          tier: options.tier,
          rule: options.rule,
        },
      );
    });

  institutions
    .command('add-address <institution> <email>')
    .description('list an address for a tier whose rule is individual (an individual agreement)')
    .addOption(tierOption())
    .option('--agreement <id>', 'the individual agreement that lists it')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions add-address uw.edu ada@uw.edu --tier controlled')
    .action(async (institution: string, email: string, options: AddressFlags) => {
      // Ids are lower case; one typed in any case names the same agreement (README).
      const listing = { agreementId: options.agreement?.trim().toLowerCase() ?? null };
      const result = await registry(async (s) => {
        // A mistyped id would be kept, pointing nowhere (a trial's `--agreement nope-1`).
        if (listing.agreementId && !(await s.agreementById(listing.agreementId)))
          throw new UserError(`--agreement: no agreement ${listing.agreementId} in the records`);
        return s.addInstitutionAddress(institution, options.tier, email, listing);
      });
      changed(
        options,
        result,
        [
          `listed ${low(email)} for the ${options.tier} tier`,
          `${low(email)} is already listed for the ${options.tier} tier`,
        ],
        {
          tier: options.tier,
          email,
        },
      );
    });

  institutions
    .command('remove-address <institution> <email>')
    .description('remove an address listed for a tier')
    .addOption(tierOption())
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  dura institutions remove-address uw.edu ada@uw.edu --tier controlled',
    )
    .action(async (institution: string, email: string, options: AddressFlags) => {
      const result = await registry((s) => s.removeInstitutionAddress(institution, options.tier, email));
      changed(
        options,
        result,
        [
          `removed ${low(email)} from the ${options.tier} tier`,
          `${low(email)} is not listed for the ${options.tier} tier`,
        ],
        {
          tier: options.tier,
          email,
        },
      );
    });

  const addOfficial = institutions
    .command('add-official <institution>')
    .description('add a signing official (or change the name and title of the one with that address)');
  requiredFlag(addOfficial, '--name <name>');
  requiredFlag(addOfficial, '--email <email>')
    .option('--title <title>')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  dura institutions add-official uw.edu --name "Sam Signer" --email osp@uw.edu --title Director',
    )
    .action(
      async (
        institution: string,
        options: OutputOptions & { name: string; email: string; title?: string },
      ) => {
        // Every problem at once, named by flag, as `set-official` says them (the store stops at the first).
        const { typedPerson } = await import('./person-flags');
        await typedPerson(options, [], { title: true });
        const official = { name: options.name, email: options.email, title: options.title ?? null };
        const { result, domains } = await registry(async (s) => ({
          result: await s.addInstitutionOfficial(institution, official),
          domains: (await s.institutionByDomain(institution))?.domains ?? [],
        }));
        // Taken, as `request` takes an official elsewhere (one office may sign for several), but said.
        const { officialChecks } = await import('../../common/address-notes');
        for (const check of officialChecks([{ email: low(official.email) }], domains))
          process.stderr.write(`dura: warning: ${check}\n`);
        changed(
          options,
          result,
          [
            `recorded the signing official ${low(official.email)}`,
            `the signing official ${low(official.email)} is already recorded as given`,
          ],
          {
            official,
          },
        );
      },
    );

  institutions
    .command('remove-official <institution> <email>')
    .description('remove a signing official')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions remove-official uw.edu osp@uw.edu')
    .action(async (institution: string, email: string, options: OutputOptions) => {
      const result = await registry((s) => s.removeInstitutionOfficial(institution, email));
      changed(
        options,
        result,
        [`removed the signing official ${low(email)}`, `${low(email)} is not one of its signing officials`],
        { email },
      );
    });

  // The contacts beside the signing officials: one command each, the same shape.
  const contacts = [
    ['contracting', 'contracting contact', 'contracts@uw.edu', ''],
    ['report', 'report contact', 'research-office@uw.edu', '; gets the monthly registration report'],
  ] as const;
  for (const [role, words, sample, why] of contacts)
    institutions
      .command(`set-${role}-contact <institution> <email>`)
      .description(`the institution's ${words} ("none" clears it)${why}`)
      .option('--json', 'print JSON')
      .addHelpText('after', `\nExample:\n  dura institutions set-${role}-contact uw.edu ${sample}`)
      .action(async (institution: string, email: string, options: OutputOptions) => {
        const contact = email.trim().toLowerCase() === 'none' ? null : email;
        const result = await registry((s) =>
          role === 'report'
            ? s.setReportContact(institution, contact)
            : s.setContractingContact(institution, contact),
        );
        changed(
          options,
          result,
          contact
            ? [`the ${words} is now ${low(contact)}`, `the ${words} is already ${low(contact)}`]
            : [`cleared the ${words}`, `no ${words} is recorded`],
          { contact },
        );
      });
}
