/**
 * Malformed agreement requests for the fault tests, each with the field its message must name: request
 * payloads (for `dura request --file` and the same validator in process), `dura request` flags, and
 * rows of `dura import` CSV files. Each is a valid request with exactly one thing wrong, so that the
 * one message it gets can only be about that thing.
 */

export interface Malformed<T> {
  input: T;
  /** What the message must start with (after `dura: ` on the CLI), e.g. `requester.email`. */
  field: string;
  /** A short description for failure messages. */
  label: string;
}

const long = (n: number) => 'x'.repeat(n);

function validRequest(n: number) {
  const domain = `m${n}.malformed.example.edu`;
  return {
    institution: { name: `Malformed University ${n}`, domain },
    requester: { name: 'Ada Researcher', email: `ada@${domain}` },
    signingOfficial: { name: 'Sam Official', email: `so@${domain}`, title: 'Director' },
    tiers: ['registered'] as unknown,
    receivedAt: '2026-01-05T15:00:00Z' as unknown,
  };
}

const names: unknown[] = [undefined, '', '   ', 'Ada\nLovelace', long(201), 42, null, ['Ada'], {}];
const emails: unknown[] = [
  undefined,
  '',
  'ada',
  'ada@',
  '@uw.edu',
  'ada@@uw.edu',
  'ada lovelace@uw.edu',
  'ada@uw',
  42,
  null,
  'ada@uw.edu\nBcc: all@uw.edu',
];
const domains: unknown[] = [
  undefined,
  '',
  'nodot',
  'uw edu',
  'uw..edu',
  '.edu',
  'uw.edu/x',
  'http://uw.edu',
  42,
  null,
];
const tiers: unknown[] = [
  undefined,
  [],
  'registered',
  ['gold'],
  ['registerd'], // a tier in another case is a tier (`Registered`), a misspelt one is not
  [1],
  null,
  {},
  ['registered', 'x'],
];
// Missing comes second: `dura request --file` defaults a missing receivedAt to now (as without
// --received-at), so it is malformed only in process, and the fault test sends every 4th payload, this
// list's first among them, through the CLI.
const instants: unknown[] = [
  '',
  undefined,
  'yesterday',
  '2026-02-30T00:00:00Z',
  '11/20/2026', // a New York date is YYYY-MM-DD (2026-11-20 is accepted: its start in New York)
  '2026-11-20T25:00:00Z',
  '2999-01-01T00:00:00Z', // in the future
  1700000000,
  null,
];
const titles: unknown[] = ['Dean\nof Research', long(201), 42, ['Dean']];

/** Request payloads (what a request file holds), one bad field each. */
export function malformedPayloads(): Malformed<unknown>[] {
  const cases: Malformed<unknown>[] = [];
  let n = 0;
  const vary = (
    field: string,
    values: unknown[],
    set: (r: ReturnType<typeof validRequest>, v: unknown) => void,
  ) => {
    for (const value of values) {
      const request = validRequest(++n);
      set(request, value);
      cases.push({ input: request, field, label: `${field} = ${JSON.stringify(value) ?? 'missing'}` });
    }
  };
  vary('institution.name', names, (r, v) => (r.institution.name = v as string));
  vary('institution.domain', domains, (r, v) => (r.institution.domain = v as string));
  vary('requester.name', names, (r, v) => (r.requester.name = v as string));
  vary('requester.email', emails, (r, v) => (r.requester.email = v as string));
  vary('signingOfficial.name', names, (r, v) => (r.signingOfficial.name = v as string));
  vary('signingOfficial.email', emails, (r, v) => (r.signingOfficial.email = v as string));
  vary('signingOfficial.title', titles, (r, v) => (r.signingOfficial.title = v as string));
  vary('tiers', tiers, (r, v) => (r.tiers = v));
  vary('receivedAt', instants, (r, v) => (r.receivedAt = v));
  for (const key of ['institution', 'requester', 'signingOfficial'] as const)
    for (const value of [null, 'text', [], 7])
      vary(key, [value], (r, v) => ((r as Record<string, unknown>)[key] = v));
  for (const root of [[], null, 42, 'a request', true])
    cases.push({ input: root, field: 'request', label: `the whole request is ${JSON.stringify(root)}` });
  return cases;
}

/** Request files that are not JSON at all: the message names the file. */
export const unparsableFiles: Malformed<string>[] = [
  '',
  '{',
  '{"institution":}',
  'not json',
  '{"tiers": ["registered"],}',
  "{'institution': 'single quotes'}",
  '\u0000\u0001binary',
].map((text) => ({ input: text, field: '--file', label: `file text ${JSON.stringify(text)}` }));

/** `dura request` flags: a full valid set with one flag bad or missing. */
export function malformedFlags(): Malformed<string[]>[] {
  const flagsFor = (n: number): Record<string, string> => {
    const domain = `f${n}.malformed.example.edu`;
    return {
      '--institution-name': `Flag University ${n}`,
      '--domain': domain,
      '--requester-name': 'Ada Researcher',
      '--requester-email': `ada@${domain}`,
      '--official-name': 'Sam Official',
      '--official-email': `so@${domain}`,
      '--tier': 'registered',
      '--received-at': '2026-01-05T15:00:00Z',
    };
  };
  // Each message names the flag typed (`--domain: required`), not the request's field.
  const bad: [flag: string, value: string | undefined][] = [
    ['--institution-name', ''],
    ['--institution-name', 'Two\nLines'],
    ['--domain', 'nodot'],
    ['--domain', 'uw edu'],
    ['--domain', undefined],
    ['--requester-name', long(201)],
    ['--requester-email', 'ada'],
    ['--requester-email', 'ada@uw'],
    ['--requester-email', undefined],
    ['--official-name', ' '],
    ['--official-email', 'so@@uw.edu'],
    ['--official-title', 'Dean\nof Research'],
    ['--tier', 'gold'],
    ['--tier', undefined],
    ['--received-at', 'yesterday'],
    ['--received-at', '2026-02-30T00:00:00Z'],
    ['--received-at', '2999-01-01T00:00:00Z'],
  ];
  const cases = bad.map(([flag, value], i) => {
    const flags = flagsFor(i);
    if (value === undefined) delete flags[flag];
    else flags[flag] = value;
    const args = ['request', ...Object.entries(flags).flat()];
    return { input: args, field: flag, label: `${flag} ${JSON.stringify(value) ?? 'missing'}` };
  });
  // What commander itself refuses, before dura's validation: the message names the option.
  const all = Object.entries(flagsFor(99)).flat();
  cases.push(
    {
      input: ['request', ...all, '--initiation', 'sometimes'],
      field: '--initiation: expected',
      label: 'bad choice',
    },
    { input: ['request', ...all, '--bogus'], field: "unknown option '--bogus'", label: 'unknown flag' },
    { input: ['request', ...all, '--tier'], field: "option '--tier", label: 'flag without its value' },
  );
  return cases;
}

export const REQUEST_CSV_HEADER =
  'institution_name,domain,requester_name,requester_email,official_name,official_email,official_title,tiers,received_at';

/** CSV values, already quoted where they must be; one bad column per row. */
const csvBad: [column: string, values: string[]][] = [
  ['institution_name', ['', long(201), '"Two\nLines"']],
  ['domain', ['', 'nodot', 'uw edu', 'uw..edu', 'http://uw.edu']],
  ['requester_name', ['', long(201), '"Ada\nLovelace"']],
  ['requester_email', ['', 'ada', 'ada@', '@uw.edu', '"ada lovelace@uw.edu"']],
  ['official_name', ['', '   ', long(201)]],
  ['official_email', ['', 'so', 'so@uw', 'so@@uw.edu']],
  ['official_title', [long(201), '"Dean\nof Research"']],
  ['tiers', ['', 'gold', 'registered;gold', 'Platinum']],
  ['received_at', ['yesterday', '2026-02-30T00:00:00Z', '2999-01-01T00:00:00Z', '2026/11/20']],
];

/** A bad CSV row as the test expects it: its physical line, the column its message names, its defect. */
export interface BadRow {
  line: number;
  field: string;
  /** What is wrong with it, the same for every repeat: distinct rows are distinct defects. */
  defect: string;
}

/**
 * A request CSV of `rows` bad rows (each with its physical line, the column its problem names and its
 * defect): mostly one bad value in one column, and every 25th row with a field too many or too few.
 * There are 35 distinct defects (the 33 bad values above, a field too many, a field too few), all of
 * them in any file of 150 rows or more. Every row names its own institution, so no two rows are the same
 * text, but past the 35 a row repeats a defect and only makes the file bigger.
 */
export function malformedCsv(rows: number, first: number): { text: string; expected: BadRow[] } {
  const lines = [REQUEST_CSV_HEADER];
  const expected: BadRow[] = [];
  const flat = csvBad.flatMap(([column, values]) => values.map((value) => [column, value] as const));
  let line = 2;
  for (let i = 0; i < rows; i++) {
    const n = first + i;
    const domain = `r${n}.malformed.example.edu`;
    const row: Record<string, string> = {
      institution_name: `Row University ${n}`,
      domain,
      requester_name: 'Ada Researcher',
      requester_email: `ada@${domain}`,
      official_name: 'Sam Official',
      official_email: `so@${domain}`,
      official_title: '',
      tiers: 'registered',
      received_at: '2026-01-05T15:00:00Z',
    };
    let field = 'row';
    let defect: string;
    if (i % 50 === 24) {
      row.institution_name = `Row, University ${n}`; // a comma not quoted: a field too many
      defect = 'a field too many';
    } else if (i % 50 === 49) {
      delete row.received_at; // a field too few
      defect = 'a field too few';
    } else {
      const [column, value] = flat[i % flat.length]!;
      row[column] = value;
      field = column;
      defect = `${column}=${value}`;
    }
    const text = Object.values(row).join(',');
    lines.push(text);
    expected.push({ line, field, defect });
    line += text.split('\n').length;
  }
  return { text: lines.join('\n') + '\n', expected };
}
