/** A complete agreement status for tests of the parts that read one (mail, records). */
import { DEFAULT_POLICY, type AgreementStatus } from '../../common/agreement';

export function sampleAgreement(overrides: Partial<AgreementStatus> = {}): AgreementStatus {
  return {
    agreementId: 'dura-uw.test',
    institution: { name: 'University of Testing', domain: 'uw.test' },
    kind: 'new',
    stage: 'awaiting-signature',
    tiers: ['registered', 'controlled'],
    requesters: [
      { name: 'Ann Lee', email: 'ann@uw.test' },
      { name: 'Bo Chen', email: 'bo@uw.test' },
    ],
    signingOfficial: { name: 'Sam Signer', email: 'sam@uw.test', title: 'Director of Research' },
    policy: DEFAULT_POLICY,
    receivedAt: '2026-11-20T15:00:00.000Z',
    initiationDueBy: '2026-11-24T22:00:00.000Z',
    initiatedAt: '2026-11-23T14:30:00.000Z',
    remindersSent: 1,
    nextReminderAt: '2026-12-07T14:00:00.000Z',
    remindersPausedUntil: null,
    nextStatusUpdateAt: null,
    overdue: false,
    executedAt: '2026-12-01T16:00:00.000Z',
    signedOn: '2026-12-01',
    documentRef: null,
    instructionsDueBy: '2026-12-03T22:00:00.000Z',
    instructionsSentAt: null,
    endedAt: null,
    endReason: null,
    history: [],
    ...overrides,
  };
}
