/**
 * In-memory stand-ins for the I/O activities, for lifecycle tests on the time-skipping server (the real
 * calendar runs). They keep what a user would check: messages by idempotency key, registry, records.
 */
import type {
  AgreementActivities,
  EmailRequest,
  InstitutionRecord,
  RecordEventsInput,
} from '../../activities/interfaces';
import { calendarActivities } from '../../activities/calendar';
import type { HistoryEntry } from '../../common/agreement';

export function fakeActivities(registry: InstitutionRecord[] = []) {
  const institutions = new Map(registry.map((r) => [r.domain, { ...r }]));
  const emails = new Map<string, EmailRequest>();
  const records = new Map<string, HistoryEntry[]>();
  const undeliverable = new Set<string>();

  const io: Omit<AgreementActivities, 'calendarTable'> = {
    async lookupInstitution(domain) {
      const found = institutions.get(domain);
      return found ? { ...found, tiers: [...found.tiers] } : null;
    },
    async sendEmail(request) {
      // Idempotent like the real mailer: a retry with the same key does not send again.
      if (!emails.has(request.idempotencyKey)) {
        const address = request.to.map((r) => (typeof r === 'string' ? r : r.email)).join(',');
        if (undeliverable.has(address))
          return { messageId: '', state: 'rejected', detail: '550 no such user' };
        emails.set(request.idempotencyKey, request);
      }
      return { messageId: `<${request.idempotencyKey}@test>`, state: 'sent' };
    },
    async recordEvents(input: RecordEventsInput) {
      const list = records.get(input.agreementRef) ?? [];
      input.events.forEach((event, i) => (list[input.firstSeq + i] = event));
      records.set(input.agreementRef, list);
    },
    async updateRegistry({ institution, tiers }) {
      const current = institutions.get(institution.domain);
      const merged = [...new Set([...(current?.tiers ?? []), ...tiers])];
      institutions.set(institution.domain, { ...institution, tiers: merged });
    },
  };

  /** Messages in send order (of one agreement, or all), as `kind -> recipient` strings. */
  const sent = (kind?: string, agreementId?: string) =>
    [...emails.values()]
      .filter((e) => (!kind || e.kind === kind) && (!agreementId || e.agreementId === agreementId))
      .map((e) => `${e.kind} -> ${e.to.map((r) => (typeof r === 'string' ? r : r.email)).join(',')}`);

  return {
    activities: { ...io, ...calendarActivities },
    emails,
    sent,
    institutions,
    records,
    undeliverable,
  };
}
