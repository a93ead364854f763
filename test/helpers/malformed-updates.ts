/**
 * Malformed or untimely updates for the fault tests: each the payload an integration (or a hand-made
 * client call) could send one of the access team's controls, with what the validator's one-line
 * rejection must start with. `on` says which running agreement gets it: one awaiting signature, or
 * one awaiting manual initiation (for the controls that only make sense later).
 */
import type { Malformed } from './malformed-requests';

export interface UpdateCase {
  update: string;
  on: 'awaiting-signature' | 'awaiting-initiation';
  /** The update's one argument; `none` for the controls that take none. */
  payload: unknown;
}

const long = (n: number) => 'x'.repeat(n);
const NONE = Symbol('none');
export const noPayload = NONE;

const dates: unknown[] = [
  undefined,
  null,
  20261201,
  '2026-12-1',
  '2026-02-30',
  '2026-13-01',
  '2999-01-01', // in the future
  'yesterday',
  ' 2026-11-01',
  ['2026-11-01'],
  '2026-11-01T00:00:00Z',
];
const reasons: unknown[] = [undefined, null, '', '   ', 42, long(1001), ['too late'], {}];
const names: unknown[] = [undefined, '', '  ', 'Pat\nProvost', long(201), 5, null];
const emails: unknown[] = [undefined, '', 'pat', 'pat@', 'pat@uw', 'pat provost@uw.edu', 'pat@uw.edu>', 7];

export function malformedUpdates(): Malformed<UpdateCase>[] {
  const cases: Malformed<UpdateCase>[] = [];
  const add = (
    update: string,
    payload: unknown,
    field: string,
    on: UpdateCase['on'] = 'awaiting-signature',
  ) =>
    cases.push({
      input: { update, on, payload },
      field,
      label: `${update}(${JSON.stringify(payload) ?? ''})`,
    });

  for (const signedOn of dates) add('execute', { signedOn }, 'signedOn');
  add('execute', null, 'signedOn');
  for (const documentRef of [5, '  ', long(501), ['D-1']])
    add('execute', { signedOn: '2026-01-05', documentRef }, 'documentRef');
  for (const update of ['cancel', 'decline']) {
    for (const reason of reasons) add(update, { reason }, 'reason');
    add(update, null, 'reason');
  }
  for (const [update, field] of [
    ['setSigningOfficial', 'signingOfficial'],
    ['addRequester', 'requester'],
  ] as const) {
    for (const name of names) add(update, { name, email: 'pat@uw.edu' }, `${field}.name`);
    for (const email of emails) add(update, { name: 'Pat Provost', email }, `${field}.email`);
    add(update, null, `${field}.name`);
  }
  for (const title of ['Dean\nof Research', long(201), 3, ['Dean']])
    add('setSigningOfficial', { name: 'Pat Provost', email: 'pat@uw.edu', title }, 'signingOfficial.title');
  for (const until of [
    undefined,
    null,
    '',
    'garbage',
    '2000-01-01',
    '2026-02-30',
    12,
    '2000-01-01T00:00:00Z',
    '2026-1-1',
  ])
    add('pauseReminders', { until }, 'until');
  for (const days of [undefined, 0, -1, 1.5, 366, '7', null, 1e9, true]) add('setCadence', { days }, 'days');
  add('setCadence', null, 'days');

  // Untimely: the right payload at the wrong stage. The message names what cannot be done and why.
  add('initiate', NONE, 'cannot initiate: the agreement is awaiting-signature');
  add('resumeReminders', NONE, 'cannot resume reminders: they are not paused');
  add(
    'remindNow',
    NONE,
    'cannot send a reminder: the agreement is awaiting-initiation',
    'awaiting-initiation',
  );
  add(
    'pauseReminders',
    { until: '2999-01-01' },
    'cannot pause reminders: the agreement is awaiting-initiation',
    'awaiting-initiation',
  );
  add(
    'resumeReminders',
    NONE,
    'cannot resume reminders: the agreement is awaiting-initiation',
    'awaiting-initiation',
  );
  return cases;
}
