/**
 * Malformed command lines for the fault tests, beyond `dura request`'s flags: the access team's
 * controls aimed at running agreements (their values refused by the workflow's validators, or by the
 * CLI first), the other commands' flags, and files whose header or rows are wrong.
 */
import { REQUEST_CSV_HEADER, type BadRow, type Malformed } from './malformed-requests';

const newYorkToday = () => new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });

/** `signing`: an agreement awaiting signature; `initiating`: one awaiting manual initiation. */
export function controlCases(d: { signing: string; initiating: string }): Malformed<string[]>[] {
  const s = d.signing;
  // The validators name the update's fields (`signedOn`); the CLI names the flag typed (`--on`).
  const cases: [string[], string][] = [
    [['execute', s, '--on', '2026-02-30'], '--on'],
    [['execute', s, '--on', 'tomorrow'], '--on'],
    [['execute', s, '--on', '2999-01-01'], '--on'],
    // Signed today in New York: a date before the request is refused first, naming --on.
    [['execute', s, '--on', newYorkToday(), '--document', ' '], '--document'],
    [['cancel', s, '--reason', ''], '--reason'],
    [['decline', s, '--reason', '   '], '--reason'],
    [['set-official', s, '--name', 'Pat Provost', '--email', 'pat@'], '--email'],
    [['set-official', s, '--name', '', '--email', 'pat@uw.edu'], '--name'],
    [
      ['set-official', s, '--name', 'Pat', '--email', 'pat@uw.edu', '--title', 'Dean\nof Research'],
      '--title',
    ],
    [['add-requester', s, '--name', 'Grace Hopper', '--email', 'grace'], '--email'],
    [['add-requester', s, '--name', 'Grace\nHopper', '--email', 'grace@uw.edu'], '--name'],
    [['remove-requester', s, '--email', 'grace'], '--email'],
    [['remove-requester', s, '--email', 'nobody@nowhere.example'], 'cannot remove-requester'],
    [['pause-reminders', s, '--until', 'someday'], '--until'],
    [['pause-reminders', s, '--until', '2000-01-01'], '--until'],
    [['set-cadence', s, '--days', '0'], '--days'],
    [['set-cadence', s, '--days', '1.5'], '--days'],
    [['set-cadence', s, '--days', '400'], '--days'],
    [['initiate', s], 'cannot initiate'],
    [['resume-reminders', s], 'cannot resume reminders'],
    [['remind-now', d.initiating], 'cannot send a reminder'],
    [['execute', 'no-such.example.edu', '--on', '2026-01-05'], 'no agreement for no-such.example.edu'],
    [['report', '--since', '2026-1-1'], '--since'],
    [['report', '--csv', '--json'], '--csv'],
    [['import', '--concurrency', '0', 'requests.csv'], '--concurrency'],
    [['import', '--concurrency', 'many', 'requests.csv'], '--concurrency'],
    [['import', '/nonexistent/requests.csv'], '/nonexistent/requests.csv'],
    [['request', '--file', '/nonexistent/request.json'], '--file'],
    [['institutions', 'import', '/nonexistent/registered.csv'], '/nonexistent/registered.csv'],
  ];
  return cases.map(([input, field]) => ({ input, field, label: input.join(' ') }));
}

/** What commander refuses before dura's code runs; its message names the option or argument. */
export function commanderCases(agreement = 'uw.edu'): Malformed<string[]>[] {
  const cases: [string[], string][] = [
    [['execute', agreement], '--on: required'],
    [['cancel', agreement], '--reason: required'],
    [['status'], "missing required argument 'agreement'"],
    [['list', '--stage', 'bogus'], '--stage: expected'],
    [['list', '--tier', 'gold'], '--tier: expected'],
    [['import', 'requests.csv', '--initiation', 'later'], '--initiation: expected'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['list', '--bogus'], "unknown option '--bogus'"],
  ];
  return cases.map(([input, field]) => ({ input, field, label: input.join(' ') }));
}

/** Request CSVs whose header is wrong: one problem each, on line 1. */
export function headerFiles(): { name: string; text: string }[] {
  const row = 'Header University,hdr.example.edu,Ada,ada@hdr.example.edu,Sam,so@hdr.example.edu,,registered,';
  return [
    { name: 'no-domain.csv', text: `${REQUEST_CSV_HEADER.replace('domain,', '')}\n${row}\n` },
    // A column of the spreadsheet's own (`priority`) is read past with a warning; one named twice is not.
    { name: 'repeated-column.csv', text: `${REQUEST_CSV_HEADER},Domain\n${row},hdr.example.edu\n` },
    { name: 'empty.csv', text: '' },
  ];
}

/**
 * A Registered Institutions CSV (`dura institutions import`) of bad rows, one problem each. The rows
 * cycle through five distinct defects; past five, they repeat one (another institution) and only make
 * the file bigger.
 */
export function registryCsv(rows: number): { text: string; expected: BadRow[] } {
  const lines = ['domain,name,tiers'];
  const expected: BadRow[] = [];
  for (let i = 0; i < rows; i++) {
    const domain = `reg${i}.malformed.example.edu`;
    const variants: [text: string, field: string, defect: string][] = [
      [`nodot${i},Registry University ${i},registered`, 'domain', 'a domain without a dot'],
      [`${domain},,registered`, 'name', 'no name'],
      [`${domain},Registry University ${i},gold`, 'tiers', 'an unknown tier'],
      [`${domain},Registry University ${i},`, 'tiers', 'no tier'],
      [`${domain},Registry University ${i}`, 'row', 'a field too few'],
    ];
    const [text, field, defect] = variants[i % variants.length]!;
    lines.push(text);
    expected.push({ line: i + 2, field, defect });
  }
  return { text: lines.join('\n') + '\n', expected };
}
