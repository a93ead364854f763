/**
 * `dura institutions remove <institution>`: a listing made by mistake taken off the Registered
 * Institutions list whole (activities/records/registry-removal.ts); one an executed agreement made is
 * refused. What was removed is said, and how to list it again.
 */
import type { Command } from 'commander';
import { emit, UserError, type OutputOptions } from '../output';
import { withStore } from '../records';

export function registerInstitutionRemoval(institutions: Command): void {
  institutions
    .command('remove <institution>')
    .description('take an institution listed by mistake off the list, with its domains, tiers and officials')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nNot one an executed agreement listed. `dura institutions import` lists it again.\n' +
        '\nExample:\n  dura institutions remove gmail.com',
    )
    .action(async (institution: string, options: OutputOptions) => {
      const { removeInstitution } = await import('../../activities/records/registry-removal');
      const removed = await withStore((store) => removeInstitution(store.db, institution)).catch(
        (err: Error) => {
          throw err?.name === 'RegistryError' ? new UserError(err.message) : err;
        },
      );
      emit(options, removed, () => {
        const tiers = removed.tiers.length ? removed.tiers.join(', ') : 'none';
        return (
          `removed ${removed.name} (${removed.id}): domains ${removed.domains.join(', ')}; tiers ${tiers}; ` +
          `${removed.addresses} listed address(es), ${removed.officials} official(s)`
        );
      });
    });
}
