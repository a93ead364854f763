/**
 * The monthly registration report (issue 18, item 2): each institution with a report contact on the
 * registry (`dura institutions set-report-contact`) and at least one requester's registration gets one
 * message a month listing its researchers and their registration steps.
 *
 * It rides on the weekly digest's schedule (workflows/digest.ts): every digest run calls it, and the
 * ledger's key is the month's (`registration-report/<YYYY-MM>/<institution>`), so the first run of a New
 * York month sends each report and the later ones send nothing again. A month whose first Monday's run
 * failed is sent by the next run; a contact set mid-month gets that month's report on the next Monday.
 */
import type { Kysely } from 'kysely';
import { newYorkDate } from '../common/when';
import type { DigestActivities } from './interfaces';
import type { Mailer } from './mail/mailer';
import { listRegistrations, type RegistrationRow } from './records/registrations';
import type { Database } from './records/schema';

/**
 * Each institution's researchers: the newest registration of each address, newest first; none the access
 * team closed (the person left, or will not register).
 */
function byInstitution(rows: RegistrationRow[], owners: Map<string, string>): Map<string, RegistrationRow[]> {
  const seen = new Set<string>();
  const out = new Map<string, RegistrationRow[]>();
  for (const row of rows) {
    const institution = owners.get(row.institution.domain);
    const key = `${institution}\n${row.requester.email}`;
    if (!institution || seen.has(key)) continue;
    seen.add(key);
    if (row.closedAt && !row.completedAt) continue; // the newest is closed: the person left
    out.set(institution, [...(out.get(institution) ?? []), row]);
  }
  return out;
}

export function registrationReportActivities(deps: {
  db: Kysely<Database>;
  mailer: Pick<Mailer, 'sendRegistrationReport'>;
  now?: () => Date;
}): Pick<DigestActivities, 'sendRegistrationReports'> {
  const now = deps.now ?? (() => new Date());
  return {
    async sendRegistrationReports() {
      const asOf = now();
      const month = newYorkDate(asOf).slice(0, 7);
      const contacts = await deps.db
        .selectFrom('institutions as i')
        .innerJoin('institution_domains as d', 'd.institution', 'i.domain')
        .select(['i.domain as id', 'i.name', 'i.report_contact', 'd.domain'])
        .where('i.report_contact', 'is not', null)
        .execute();
      if (contacts.length === 0) return { month, reports: [] };
      // A registration names its agreement's domain, which may be any of the institution's domains.
      const owners = new Map(contacts.map((c) => [c.domain, c.id]));
      const researchers = byInstitution(await listRegistrations(deps.db), owners);
      const reports = [];
      for (const c of contacts.filter((c) => c.domain === c.id)) {
        const registrations = researchers.get(c.id);
        if (!registrations) continue;
        const receipt = await deps.mailer.sendRegistrationReport({
          idempotencyKey: `registration-report/${month}/${c.id}`,
          month,
          asOf: asOf.toISOString(),
          institution: { name: c.name, domain: c.id },
          contact: c.report_contact!,
          registrations,
        });
        reports.push({ institution: c.id, registrations: registrations.length, ...receipt });
      }
      return { month, reports };
    },
  };
}
