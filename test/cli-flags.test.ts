// What `dura` answers about its own flags before it reaches Temporal: `--version`, and every problem of
// `dura request`'s flags or request file at once, by the flag typed or the field as the file has it.
// No server runs: Temporal's address is a closed port, so a command that got past its checks would exit 2.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import iconv from 'iconv-lite';
import { dura as run, requestArgs } from './helpers/cli';

const root = path.join(__dirname, '..');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  version: string;
};

describe('dura CLI: flags, checked before anything starts', function () {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-cli-flags-'));
    env = { TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: `sqlite:${dir}/records/dura.sqlite` };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const dura = (...args: string[]) => run(args, env);
  const file = (name: string, content: unknown) => {
    const at = path.join(dir, name);
    fs.writeFileSync(
      at,
      typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content),
    );
    return at;
  };
  /** A refusal: exit 1, nothing on stdout, exactly these lines, and no records opened. */
  const refused = (result: { status: number | null; stdout: string; stderr: string }, lines: string[]) => {
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, lines.map((l) => `dura: ${l}\n`).join(''));
    assert.ok(!fs.existsSync(path.join(dir, 'records')), 'the records database was opened');
  };

  /** A request typed in part, and what its flags lack or get wrong, one line each (several tests). */
  const partial = ['--institution-name', 'Harbor', '--domain', 'harbor', '--requester-name', 'Ada'];
  const partialProblems = [
    '--domain: "harbor": expected an e-mail domain such as uw.edu',
    '--requester-email: required',
    '--official-name: required',
    '--official-email: required',
  ];

  it('--version prints package.json’s version; bin/dura.js answers it without loading anything else', async () => {
    const full = await dura('--version');
    assert.equal(full.status, 0, full.stderr);
    assert.equal(full.stdout, `${version}\n`);
    // A probe preloaded into bin/dura.js lists every module it loaded.
    const probe = file(
      'probe.js',
      "process.on('exit', () => process.stderr.write(JSON.stringify(Object.keys(require.cache))));",
    );
    const lean = spawnSync(process.execPath, ['-r', probe, path.join(root, 'bin', 'dura.js'), '-V'], {
      encoding: 'utf8',
    });
    assert.equal(lean.status, 0, lean.stderr);
    assert.equal(lean.stdout, `${version}\n`);
    const loaded = (JSON.parse(lean.stderr) as string[]).filter((f) => f !== probe);
    assert.deepEqual(
      loaded.map((f) => path.relative(root, f)),
      [path.join('bin', 'dura.js'), 'package.json'],
    );
  });

  it('request: every problem at once, each by the flag typed', async () => {
    // No --institution-name, and a bad --official-email.
    const flags = ['--domain', 'flags.example.edu', '--requester-name', 'Ada', '--requester-email'];
    const more = ['ada@flags.example.edu', '--official-name', 'Sam', '--official-email', 'osp@'];
    refused(await dura('request', ...flags, ...more, '--tier', 'registered'), [
      '--institution-name: required',
      '--official-email: "osp@": not an e-mail address',
    ]);
    refused(await dura('request', '--domain', 'x.edu', '--tier', 'gold', '--tier', 'registered'), [
      '--institution-name: required',
      '--requester-name: required',
      '--requester-email: required',
      '--official-name: required',
      '--official-email: required',
      '--tier: expected registered or controlled (got "gold")',
    ]);
    // A flag typed twice was silently the last one: now a problem of its own, beside the others.
    const good = ['--institution-name', 'Flags U', ...flags, ...more.slice(0, -1), 'osp@flags.example.edu'];
    refused(
      await dura('request', ...good, '--requester-email', 'bo@flags.example.edu', '--tier', 'registered'),
      [
        '--requester-email: given 2 times ("ada@flags.example.edu", "bo@flags.example.edu"): one requester per ' +
          'request (a second request for the institution joins its agreement)',
      ],
    );
    refused(await dura('request', ...good, '--domain', 'x.edu', '--tier', 'gold'), [
      '--domain: given 2 times ("flags.example.edu", "x.edu"): a request takes one',
      '--tier: expected registered or controlled (got "gold")',
    ]);
    // A web site's domain (a trial's `www.why.edu` started an agreement no address is at).
    const www = good.map((a) => (a === 'flags.example.edu' ? 'WWW.flags.example.edu' : a));
    refused(await dura('request', ...www, '--tier', 'registered'), [
      '--domain: "WWW.flags.example.edu": an e-mail domain, not the web site\'s: type flags.example.edu',
    ]);
    // A web address pasted, or an address typed (a trial's `https://www.uzh.ch/`): the domain it names.
    for (const [typed, why] of [
      [
        'https://www.flags.example.edu/research',
        "an e-mail domain, not the web site's: type flags.example.edu",
      ],
      [
        'ada@flags.example.edu',
        'expected an e-mail domain such as uw.edu, the part after the @: type flags.example.edu',
      ],
    ]) {
      const pasted = good.map((a) => (a === 'flags.example.edu' ? typed! : a));
      refused(await dura('request', ...pasted, '--tier', 'registered'), [`--domain: "${typed}": ${why}`]);
    }
    // A misspelt tier (a trial's `Registred`): the tier it stands for.
    refused(await dura('request', ...good, '--tier', 'Registred'), [
      '--tier: expected registered or controlled (got "Registred"): did you mean registered?',
    ]);
    // Given empty (a script's unset variable): said so, not "required", as the flag may be left out.
    refused(await dura('request', ...good, '--tier', 'registered', '--received-at', ''), [
      '--received-at: empty (leave it out for now, or give the date it came in)',
    ]);
  });

  it('request --file: problems by the field as the file names it; --file beside a request flag names both', async () => {
    const request = {
      institution: { name: 'File University', domain: 'file.example.edu' },
      requester: { name: 'Ada Researcher', email: 'ada@' },
      signingOfficial: { name: 'Sam Signer' },
      tiers: 'registered',
    };
    refused(await dura('request', '--file', file('bad.json', request)), [
      'requester.email: "ada@": not an e-mail address',
      'signingOfficial.email: required',
      'tiers: expected a list such as ["registered", "controlled"]',
    ]);
    // Tiers in any case, as the flags and an import take them; one that is no tier, as it was typed.
    refused(
      await dura('request', '--file', file('tiers.json', { ...request, tiers: ['Registered', 'Gold'] })),
      [
        'requester.email: "ada@": not an e-mail address',
        'signingOfficial.email: required',
        'tiers[1]: expected registered or controlled (got "Gold")',
      ],
    );
    refused(await dura('request', '--file', file('list.json', [request])), [
      'request: expected a JSON object',
    ]);
    refused(await dura('request', '--file', file('broken.json', '{"tiers":')), [
      `--file: ${path.join(dir, 'broken.json')} is not JSON: Unexpected end of JSON input`,
    ]);
    refused(await dura('request', '--file', path.join(dir, 'none.json')), [
      `--file: cannot read ${path.join(dir, 'none.json')}: no such file or directory (ENOENT)`,
    ]);
    // Saved as Notepad and Excel save text: read as a CSV is (a BOM, UTF-16, Windows-1252, a Mac's Mac
    // Roman), accents kept.
    const accented = JSON.stringify({ ...request, requester: { name: 'Inès Sá', email: 'inès@' } }, null, 1);
    const saved = {
      'bom.json': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(accented)]),
      'unicode.json': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(accented, 'utf16le')]),
      'ansi.json': iconv.encode(accented, 'windows-1252'),
      'mac.json': iconv.encode(accented, 'macintosh'),
    };
    for (const [name, bytes] of Object.entries(saved))
      refused(await dura('request', '--file', file(name, bytes)), [
        'requester.email: "inès@": not an e-mail address',
        'signingOfficial.email: required',
        'tiers: expected a list such as ["registered", "controlled"]',
      ]);
    const good = file('good.json', { ...request, requester: { name: 'Ada', email: 'ada@file.example.edu' } });
    refused(await dura('request', '--file', good, '--tier', 'registered', '--domain', 'file.example.edu'), [
      '--file and --domain cannot be used together: put institution.domain in the file',
      '--file and --tier cannot be used together: put tiers in the file',
    ]);
  });

  it('the controls name the flag typed, not the field of their update', async () => {
    refused(await dura('set-cadence', 'uw.edu', '--days', 'weekly'), [
      '--days: expected a whole number from 1 to 365 (got "weekly")',
    ]);
  });

  it('bad choices are listed together, with the unknown options and the rest of the request', async () => {
    // A trial: `list --tier gold --stage bogus` named --tier only, and --stage on the next run.
    refused(await dura('list', '--tier', 'gold', '--stage', 'bogus', '--bogus'), [
      "unknown option '--bogus'",
      '--tier: expected registered or controlled (got "gold")',
      '--stage: expected awaiting-initiation, awaiting-signature, executed, instructions-sent, completed, cancelled, declined, not-needed, renewed, or lapsed (got "bogus")',
    ]);
    refused(await dura('request', ...partial, '--initiation', 'later', '--tier', 'registered'), [
      '--initiation: expected auto or manual (got "later")',
      ...partialProblems,
    ]);
  });

  it('--tier as import reads tiers: any case, several in one; only the word that is no tier is refused', async () => {
    refused(await dura('request', ...partial, '--tier', 'Registered,CONTROLLED', '--tier', 'Gold'), [
      ...partialProblems,
      '--tier: expected registered or controlled (got "Gold")',
    ]);
  });

  it('the controls list every problem of their flags at once, a mistyped flag among them', async () => {
    refused(await dura('set-official', 'uw.edu', '--add', '--replace', '--name', ' ', '--email', 'a.@b.c'), [
      'set-official: --add and --replace: choose one',
      '--name: required',
      '--email: "a.@b.c": not an e-mail address',
    ]);
    refused(await dura('add-requester', 'uw.edu', '--nmae', 'X', '--email', 'a@b..c'), [
      "unknown option '--nmae' (did you mean --name?)",
      '--name: required',
      '--email: "a@b..c": not an e-mail address',
    ]);
    // A document reference is one line of the history and of the mail; blank is a mistake, not "required".
    refused(await dura('execute', 'uw.edu', '--on', '2026-11-31', '--document', 'DURA-1\nDURA-2'), [
      '--on: 2026-11-31 is not a calendar date: November 2026 has 30 days',
      '--document: must be one line',
    ]);
    refused(await dura('execute', 'uw.edu', '--on', '2026-11-30', '--document', '  '), [
      "--document: empty (leave it out, or give the signed document's reference)",
    ]);
    // A whole request but for its tiers: each one typed wrong is named.
    refused(
      await dura(...requestArgs('harbor.org', undefined, '--tier', 'registerd', '--tier', 'Controled')),
      [
        '--tier: expected registered or controlled (got "registerd", "Controled"): did you mean registered and controlled?',
      ],
    );
  });

  it('a value with spaces typed without quotes is named with its flag, and shown quoted', async () => {
    refused(
      await dura('request', '--institution-name', 'University', 'of', 'Washington', '--domain', 'uw.edu'),
      [
        '--institution-name: "University" is followed by "of Washington", which no flag takes: a value with ' +
          'spaces needs quotes: --institution-name "University of Washington"',
      ],
    );
    // Each flag typed so, named on its own line: never one value run into the next.
    refused(
      await dura(
        ...requestArgs(
          'uw.edu',
          undefined,
          '--requester-name',
          'Eve',
          'Example',
          '--official-name',
          'Otto',
          'Official',
        ),
      ),
      [
        '--requester-name: "Eve" is followed by "Example", which no flag takes: a value with spaces needs quotes: --requester-name "Eve Example"',
        '--official-name: "Otto" is followed by "Official", which no flag takes: a value with spaces needs quotes: --official-name "Otto Official"',
      ],
    );
    // A misspelt flag too: its value's quoting named beside the spelling, not on the next try (a trial).
    refused(
      await dura('request', '--institution-nme', 'University', 'of', 'Chicago', '--domain', 'uchicago.edu'),
      [
        "unknown option '--institution-nme' (did you mean --institution-name?)",
        '--institution-name: "University" is followed by "of Chicago", which no flag takes: a value with ' +
          'spaces needs quotes: --institution-name "University of Chicago"',
        ...['--institution-name', '--requester-name', '--requester-email', '--official-name'].map(
          (flag) => `${flag}: required`,
        ),
        '--official-email: required',
        '--tier: required',
      ],
    );
    refused(await dura('history', 'uw.edu', 'extra'), [
      `unexpected "extra": 'history' takes 1 argument (<agreement>)`,
    ]);
    // Pasted from a document whose word processor made the two hyphens a dash (a trial).
    refused(await dura('history', 'uw.edu', '\u2014json'), [
      "\u2014json: a dash where a flag's two hyphens go: type --json",
    ]);
  });

  it('codec-server names both of its flags when both are wrong, and listens on nothing', async () => {
    refused(await dura('codec-server', '--listen', 'nope', '--ui-origin', 'bad'), [
      '--listen: expected host:port (got "nope")',
      '--ui-origin: expected a URL such as http://127.0.0.1:8233 (got "bad")',
    ]);
  });

  it("the controls check addresses as request does, and execute's two dates together", async () => {
    // A trial: both were accepted, and the official's package then bounced inside the worker.
    refused(await dura('add-requester', 'uw.edu', '--name', 'Ada', '--email', 'ada@uw..edu'), [
      '--email: "ada@uw..edu": not an e-mail address',
    ]);
    refused(await dura('set-official', 'uw.edu', '--add', '--name', 'Q', '--email', 'q.@uw.edu'), [
      '--email: "q.@uw.edu": not an e-mail address',
    ]);
    // Before: only the --on problem, and the --expires-on one came the next run.
    const result = await dura('execute', 'uw.edu', '--on', '2999-01-01', '--expires-on', '2999-01-01');
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^dura: --on: 2999-01-01 is in the future \(today is .* in New York\)\ndura: --expires-on: 2999-01-01 is not after the signing date \(--on 2999-01-01\)\n$/,
    );
  });

  it("a mistyped flag is named as typed, with commander's suggestion on the same line", async () => {
    // Before: only that --on was missing, and --onn never named.
    refused(await dura('execute', 'uw.edu-1', '--onn', '2026-12-01'), [
      "unknown option '--onn' (did you mean --on?)",
      '--on: required',
    ]);
    // A reason the requesters read in a sentence: one line (a trial's broke the history's table).
    refused(await dura('decline', 'ku.dk', '--reason', 'a\nb'), [
      '--reason: must be one line (the requesters read it in a sentence)',
    ]);
    // The mandatory flag left out is named alone, not also read as "undefined" (a trial).
    refused(await dura('pause-reminders', 'ku.dk', '--untl', '2027-01-04'), [
      "unknown option '--untl' (did you mean --until?)",
      '--until: required',
    ]);
    refused(await dura('execute', 'uw.edu-1', '--on', '2026-11-30', '--expire-on', '2029-11-30'), [
      "unknown option '--expire-on' (did you mean --expires-on?)",
    ]);
    // A flag cut short: the one it begins (a trial's --institution was offered --initiation).
    const short = await dura('request', '--institution', 'Kent State', '--domain', 'kent.edu');
    assert.equal(short.status, 1);
    assert.match(
      short.stderr,
      /^dura: unknown option '--institution' \(did you mean --institution-name\?\)$/m,
    );
    // Two addresses after --email: two commands, not quotes.
    refused(await dura('remove-requester', 'uw.edu', '--email', 'a@uw.edu', 'b@uw.edu'), [
      '--email: one address each time: --email a@uw.edu, then --email b@uw.edu',
    ]);
    // A flag typed twice: refused, with the other problems (commander kept the last, unsaid: a trial's
    // remove-requester removed the second address alone).
    refused(await dura('remove-requester', 'uw.edu', '--email', 'ada@uw.edu', '--email', 'grace@uw.edu'), [
      '--email: given 2 times ("ada@uw.edu", "grace@uw.edu"): remove-requester takes one',
    ]);
    refused(await dura('set-cadence', 'uw.edu', '--days', '7', '--days', 'x'), [
      '--days: given 2 times ("7", "x"): set-cadence takes one',
      '--days: expected a whole number from 1 to 365 (got "x")',
    ]);
    // An address typed where --email goes.
    refused(await dura('remove-requester', 'uw.edu', 'grace@uw.edu'), [
      `unexpected "grace@uw.edu": 'remove-requester' takes 1 argument (<agreement>); an address goes after --email: --email grace@uw.edu`,
    ]);
    // Every mandatory flag left out, one line each.
    refused(await dura('institutions', 'add-official', 'uw.edu'), ['--name: required', '--email: required']);
    refused(await dura('execute', 'uw.edu-1'), ['--on: required']);
  });

  it('a mistyped flag does not hide the other problems: every unknown flag, then the rest of the request', async () => {
    // Before: only "unknown option '--requester-emial'", and the bad domain and address came one run later.
    const typed = partial;
    refused(
      await dura(
        'request',
        ...typed,
        '--requester-emial',
        'ada@harbor.org',
        '--official-email',
        'osp@',
        '--tierr',
        'registered',
      ),
      [
        "unknown option '--requester-emial' (did you mean --requester-email?)",
        "unknown option '--tierr' (did you mean --tier?)",
        '--domain: "harbor": expected an e-mail domain such as uw.edu',
        '--requester-email: required',
        '--official-name: required',
        '--official-email: "osp@": not an e-mail address',
        '--tier: required',
      ],
    );
    // A receipt in the future is one of the problems, named as typed, not one left for the next run.
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
    const result = await dura('request', ...typed, '--received-at', '2999-01-01', '--tier', 'registered');
    assert.equal(result.status, 1);
    // No "read as" echo first: it would read as if the date were taken.
    assert.deepEqual(result.stderr.split('\n').slice(0, -1), [
      `dura: --received-at: 2999-01-01 is in the future (today is ${today} in New York)`,
      ...partialProblems.map((line) => `dura: ${line}`),
    ]);
  });
});
