// `dura check` and the registry's `dura institutions …` subcommands, run as a subprocess (the CLI from
// its TypeScript sources, as test/helpers/cli.ts runs it) against a real SQLite file. No Temporal server.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Stage } from '../common/agreement';
import { RecordsStore } from '../activities/records/store';
import { dura as run } from './helpers/cli';
import { sampleAgreement } from './helpers/samples';

describe('dura check and the registry subcommands (SQLite)', function () {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const dura = (...args: string[]) => run(args, env);
  const json = async (...args: string[]) => {
    const result = await dura(...args, '--json');
    assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-cli-check-'));
    env = { DATABASE_URL: `sqlite:${dir}/dura.sqlite` };
    // The records the engine would have made (the CLI makes none by itself, docs/cli.md).
    assert.equal((await dura('db', 'migrate')).status, 0);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('check on an empty list: not listed, submit a DURA request', async () => {
    const out = await json('check', 'Ada@UW.edu');
    assert.deepEqual(out, {
      email: 'ada@uw.edu',
      domain: 'uw.edu',
      institution: null,
      tiers: [{ tier: 'registered', covered: false, because: null, rule: null }],
      next: 'submit-request',
      nextStep:
        'uw.edu is not on the Registered Institutions list: submit a DURA request, with the name of a signing official at your institution.',
      likelyParent: null,
      inProcess: null,
    });
    // A personal provider's address: as the web's "Am I covered?" says it (a trial saw them differ).
    const gmail = await json('check', 'someone@gmail.com');
    assert.equal(gmail.next, 'submit-request');
    assert.equal(
      gmail.nextStep,
      "gmail.com is a personal e-mail provider's domain, not an institution's: check your institution's " +
        "address, or submit a DURA request naming your institution's own domain.",
    );
  });

  it('check a listed institution: covered by domain, an amendment for controlled, the likely parent of a subdomain', async () => {
    const file = path.join(dir, 'registered.csv');
    fs.writeFileSync(
      file,
      'domain,name,tiers\nuw.edu,University of Washington,registered\nwsu.edu,Washington State,registered\n',
    );
    assert.equal((await dura('institutions', 'import', file)).status, 0);

    const text = await dura('check', 'ada@uw.edu');
    assert.equal(text.status, 0, text.stderr);
    assert.equal(
      text.stdout,
      [
        'ada@uw.edu',
        '  Institution  University of Washington (uw.edu)',
        '  registered   covered: any address at its domains (rule: domains)',
        '  Next step    create-account: University of Washington (uw.edu) is listed for the Registered Tier (any address at its domains): create an account.',
        '',
      ].join('\n'),
    );

    const controlled = await json('check', 'ada@uw.edu', '--tier', 'controlled');
    assert.equal(controlled.next, 'request-controlled');
    assert.match(controlled.nextStep, /request the Controlled Tier \(an amendment of its agreement\)/);

    const sub = await dura('check', 'ada@med.uw.edu');
    assert.equal(sub.status, 0, sub.stderr);
    assert.match(
      sub.stdout,
      /^ {2}Institution {4}not listed \(med\.uw\.edu is not on the Registered Institutions list\)$/m,
    );
    assert.match(sub.stdout, /^ {2}registered {5}not covered: not listed$/m);
    assert.match(sub.stdout, /^ {2}Likely parent {2}University of Washington \(uw\.edu\)$/m);
    assert.match(
      sub.stdout,
      /^ {2}Next step {6}submit-request: med\.uw\.edu is not on the Registered Institutions list/m,
    );
    assert.deepEqual((await json('check', 'ada@med.uw.edu')).likelyParent, {
      id: 'uw.edu',
      name: 'University of Washington',
    });
  });

  it('institutions add-domain, then check and show see the second domain', async () => {
    const added = await dura('institutions', 'add-domain', 'uw.edu', 'Washington.edu');
    assert.equal(added.status, 0, added.stderr);
    assert.equal(added.stdout, 'uw.edu: added the domain washington.edu\n');
    const again = await dura('institutions', 'add-domain', 'uw.edu', 'washington.edu');
    assert.equal(again.stdout, 'uw.edu: washington.edu is already one of its domains; nothing changed\n');
    assert.deepEqual(await json('institutions', 'add-domain', 'uw.edu', 'washington.edu'), {
      institution: 'uw.edu',
      changed: false,
      domain: 'washington.edu',
    });

    const second = await json('check', 'grace@washington.edu');
    assert.deepEqual(second.institution, { id: 'uw.edu', name: 'University of Washington' });
    assert.equal(second.next, 'create-account');

    const shown = await dura('institutions', 'show', 'washington.edu');
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(
      shown.stdout,
      /^University of Washington \(uw\.edu\)\n {2}domains: uw\.edu, washington\.edu\n/,
    );
    assert.match(
      shown.stdout,
      /^ {2}registered since \d{4}-\d\d-\d\d \(imported\); rule domains: any address at its domains$/m,
    );
    assert.match(shown.stdout, /^ {2}signing officials: none on the list$/m);
  });

  it('set-rule, add-address, add-official: show prints them and check follows the individual rule', async () => {
    const rule = await dura(
      'institutions',
      'set-rule',
      'uw.edu',
      '--tier',
      'controlled',
      '--rule',
      'individual',
    );
    assert.equal(rule.status, 0, rule.stderr);
    assert.equal(rule.stdout, "uw.edu: the controlled tier's rule is now individual\n");
    // Her individual agreement, as its workflow writes it to the records: --agreement must name one.
    const store = await RecordsStore.open(env.DATABASE_URL!);
    const recorded = (agreementRef: string, agreementId: string, domain: string, executedAt?: null) =>
      store.recordEvents({
        agreementRef,
        firstSeq: 0,
        events: [{ at: '2026-11-02T15:00:00.000Z', event: 'requested' }],
        status: sampleAgreement({
          agreementId,
          institution: { name: domain, domain },
          ...(executedAt === null ? { executedAt } : {}),
        }),
      });
    await recorded('ref-ada', 'ada@uw.edu-1', 'uw.edu')
      .then(() => recorded('ref-mit', 'mit.edu-1', 'mit.edu'))
      .then(() => recorded('ref-uw', 'uw.edu-3', 'uw.edu', null))
      .finally(() => store.close());
    // An unknown agreement, another institution's, and a tier whose rule is domains list no one.
    const add = ['institutions', 'add-address', 'uw.edu', 'ada@uw.edu', '--tier'];
    for (const [flags, refusal] of [
      [['controlled', '--agreement', 'nope-1'], '--agreement: no agreement nope-1 in the records'],
      [['controlled', '--agreement', 'mit.edu-1'], "mit.edu-1 is mit.edu's agreement, not one of uw.edu's"],
      [
        ['controlled', '--agreement', 'uw.edu-3'],
        'uw.edu-3 is awaiting-signature: an address is listed by an executed agreement',
      ],
      [
        ['registered'],
        "uw.edu's registered tier covers every address at its domains (rule domains): set its rule to individual first (set-rule)",
      ],
    ] as const) {
      const refused = await dura(...add, ...flags);
      assert.deepEqual([refused.status, refused.stderr], [1, `dura: ${refusal}\n`]);
    }
    const grace = await dura(
      ...['institutions', 'add-address', 'uw.edu', 'grace@uw.edu', '--tier', 'controlled'],
      ...['--agreement', 'ada@uw.edu-1'],
    );
    assert.deepEqual(
      [grace.status, grace.stderr],
      [1, "dura: ada@uw.edu-1 is ada@uw.edu's individual agreement, not grace@uw.edu's\n"],
    );
    const address = await dura(
      'institutions',
      'add-address',
      'uw.edu',
      'Ada@uw.edu',
      '--tier',
      'controlled',
      '--agreement',
      'ADA@uw.edu-1', // ids in any case
    );
    assert.equal(address.stdout, 'uw.edu: listed ada@uw.edu for the controlled tier\n', address.stderr);
    const official = ['--name', 'Sam Signer', '--email', 'osp@uw.edu', '--title', 'Director'];
    assert.equal((await dura('institutions', 'add-official', 'uw.edu', ...official)).status, 0);
    assert.equal(
      (await dura('institutions', 'add-official', 'uw.edu', '--name', 'Alex', '--email', 'alex@uw.edu'))
        .status,
      0,
    );
    assert.equal(
      (await dura('institutions', 'remove-official', 'uw.edu', 'alex@uw.edu')).stdout,
      'uw.edu: removed the signing official alex@uw.edu\n',
    );
    assert.equal(
      (await dura('institutions', 'set-contracting-contact', 'uw.edu', 'contracts@uw.edu')).status,
      0,
    );

    const text = (await dura('institutions', 'show', 'uw.edu')).stdout;
    assert.match(
      text,
      /^ {2}controlled since \d{4}-\d\d-\d\d \(imported\); rule individual: only the 1 address\(es\) listed\n {4}ada@uw\.edu since \d{4}-\d\d-\d\d \(ada@uw\.edu-1\)$/m,
    );
    assert.match(text, /^ {2}signing officials: Sam Signer <osp@uw\.edu>, Director$/m);
    assert.match(text, /^ {2}contracting contact: contracts@uw\.edu$/m);
    const shown = await json('institutions', 'show', 'uw.edu');
    assert.deepEqual(shown.registry.domains, ['uw.edu', 'washington.edu']);
    assert.deepEqual(
      shown.registry.tiers.map((t: { tier: string; rule: string; addresses: Array<{ email: string }> }) => [
        t.tier,
        t.rule,
        t.addresses.map((a) => a.email),
      ]),
      [
        ['registered', 'domains', []],
        ['controlled', 'individual', ['ada@uw.edu']],
      ],
    );
    assert.deepEqual(shown.registry.officials, [
      { name: 'Sam Signer', email: 'osp@uw.edu', title: 'Director' },
    ]);
    assert.deepEqual(shown.listed.tiers, ['registered', 'controlled']); // the earlier shape is kept

    assert.equal((await json('check', 'ada@uw.edu', '--tier', 'controlled')).next, 'create-account');
    const bob = await dura('check', 'bob@uw.edu', '--tier', 'controlled');
    assert.match(
      bob.stdout,
      /^ {2}controlled {3}not covered: individual agreements required, and this address is not listed$/m,
    );
    assert.match(
      bob.stdout,
      /submit-request: University of Washington \(uw\.edu\) requires individual agreements for the Controlled Tier/,
    );
    const removed = await dura(
      'institutions',
      'remove-address',
      'uw.edu',
      'ada@uw.edu',
      '--tier',
      'controlled',
    );
    assert.equal(removed.stdout, 'uw.edu: removed ada@uw.edu from the controlled tier\n');
    assert.equal((await json('check', 'ada@uw.edu', '--tier', 'controlled')).next, 'submit-request');
  });

  it("check names the agreement in process that a request would join: the institution's, or the address's own", async () => {
    // Snapshots as the agreements' workflows write them to the records.
    const store = await RecordsStore.open(env.DATABASE_URL!);
    const write = (agreementId: string, domain: string, stage: Stage, receivedAt: string) =>
      store.recordEvents({
        agreementRef: `ref-${agreementId}`,
        firstSeq: 0,
        events: [{ at: receivedAt, event: 'requested' }],
        status: sampleAgreement({
          agreementId,
          institution: { name: domain, domain },
          stage,
          receivedAt,
          tiers: ['registered'],
          requesters: [{ name: 'Ann Lee', email: `ann@${domain}` }],
        }),
      });
    try {
      await write('inproc.edu-1', 'inproc.edu', 'completed', '2026-01-05T15:00:00.000Z');
      await write('inproc.edu-2', 'inproc.edu', 'awaiting-signature', '2026-11-02T15:00:00.000Z');
      await write('ended.edu-1', 'ended.edu', 'cancelled', '2026-11-02T15:00:00.000Z');
      // uw.edu's Controlled Tier requires individual agreements (the test before): Carol has one in process.
      await write('carol@uw.edu-1', 'uw.edu', 'awaiting-initiation', '2026-11-30T15:00:00.000Z');
    } finally {
      await store.close();
    }

    const bob = await dura('check', 'bob@inproc.edu');
    assert.equal(bob.status, 0, bob.stderr);
    assert.match(bob.stdout, /^ {2}In process {3}inproc\.edu-2 \(awaiting-signature\)$/m);
    // In process: the step in words, without the code that read as "ask again".
    assert.match(bob.stdout, /^ {2}Next step {4}inproc\.edu is not on the Registered Institutions list/m);
    assert.doesNotMatch(bob.stdout, /submit-request:/);
    assert.match(
      bob.stdout,
      /submit a DURA request, .* An agreement for inproc\.edu is already in process \(inproc\.edu-2, with the signing official for signature\): your request joins it/,
    );
    assert.deepEqual((await json('check', 'bob@inproc.edu')).inProcess, {
      agreementId: 'inproc.edu-2',
      stage: 'awaiting-signature',
      receivedAt: '2026-11-02T15:00:00.000Z',
      requester: false,
      tiers: ['registered'],
      laterTiers: [],
    });
    // The Controlled Tier cannot join an agreement already with the official for the Registered Tier
    // alone (the workflow refuses such a join): it waits until that one is signed.
    const later = await json('check', 'bob@inproc.edu', '--tier', 'controlled');
    assert.deepEqual(later.inProcess.laterTiers, ['controlled']);
    assert.match(
      later.nextStep,
      /^An agreement for inproc\.edu is already in process \(inproc\.edu-2, with the signing official for signature\): a request for the Registered Tier joins it now, and the Controlled Tier can be requested once it is signed \(it is for the Registered Tier only\)\.$/,
    );
    // One of its requesters (the sample's Ann Lee) asked already: nothing to submit.
    const ann = await json('check', 'Ann@inproc.edu');
    assert.equal(ann.inProcess.requester, true);
    assert.match(ann.nextStep, /^ann@inproc\.edu already asked: the agreement for inproc\.edu is in process/);
    // She asked for the Registered Tier: the Controlled Tier does not come with it, and she is told so.
    assert.match(
      (await json('check', 'ann@inproc.edu', '--tier', 'controlled')).nextStep,
      / once it is signed\. The Controlled Tier can be requested once it is signed \(it is for the Registered Tier only\)\.$/,
    );
    assert.equal((await json('check', 'bob@ended.edu')).inProcess, null);

    const carol = await json('check', 'Carol@uw.edu', '--tier', 'controlled');
    assert.equal(carol.inProcess?.agreementId, 'carol@uw.edu-1');
    assert.match(carol.nextStep, /An agreement for carol@uw\.edu is already in process/);
    // Another address needs its own individual agreement; a covered one needs none.
    assert.equal((await json('check', 'dave@uw.edu', '--tier', 'controlled')).inProcess, null);
    assert.equal((await json('check', 'carol@uw.edu')).inProcess, null);
  });

  it('user errors exit 1 with one line naming what was typed; an unreachable database exits 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['check', 'not-an-email'], /^dura: not-an-email: not an e-mail address\n$/],
      [
        ['check', 'ada@uw.edu', '--tier', 'gold'],
        /^dura: --tier: expected registered or controlled \(got "gold"\)\n$/,
      ],
      // Every problem at once: the address and each tier typed wrong (a trial saw the first tier only).
      [
        ['check', 'ada@', '--tier', 'gold', '--tier', 'contrlled'],
        /^dura: ada@: not an e-mail address\ndura: --tier: expected registered or controlled \(got "gold", "contrlled"\)\n$/,
      ],
      [
        ['institutions', 'add-domain', 'wsu.edu', 'WASHINGTON.edu'],
        /^dura: WASHINGTON\.edu: already a domain of uw\.edu; a domain belongs to one institution only\n$/,
      ],
      [
        ['institutions', 'add-domain', 'nowhere.edu', 'x.edu'],
        /^dura: nowhere\.edu: no institution with this domain on the Registered Institutions list\n$/,
      ],
      [['institutions', 'add-domain', 'uw.edu', 'not_a domain'], /^dura: not_a domain: not an e-mail domain/],
      [
        ['institutions', 'remove-domain', 'uw.edu', 'UW.edu'],
        /^dura: UW\.edu: the primary domain \(the id\) of uw\.edu cannot be removed\n$/,
      ],
      [
        ['institutions', 'add-address', 'uw.edu', 'ada@gmail.com', '--tier', 'controlled'],
        /^dura: ada@gmail\.com: gmail\.com is not a domain of uw\.edu/,
      ],
      [['institutions', 'add-address', 'uw.edu', 'ada@uw.edu'], /^dura: --tier: required\n$/],
      [
        ['institutions', 'set-rule', 'uw.edu', '--tier', 'controlled', '--rule', 'some'],
        /^dura: --rule: expected domains or individual \(got "some"\)\n$/,
      ],
      [
        ['institutions', 'add-official', 'uw.edu', '--name', 'X', '--email', 'x@'],
        /^dura: --email: "x@": not an e-mail address\n$/,
      ],
      [
        ['institutions', 'add-official', 'uw.edu', '--name', ' ', '--email', 'osp@uw', '--title', 'a\nb'],
        /^dura: --name: required\ndura: --email: "osp@uw": not an e-mail address\ndura: --title: must be one line\n$/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await dura(...args);
      assert.equal(result.status, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }

    const down = { DATABASE_URL: 'postgres://dura:secret@127.0.0.1:1/dura' };
    const unreachable = await run(['check', 'ada@uw.edu'], down);
    assert.equal(unreachable.status, 2, unreachable.stderr);
    assert.match(
      unreachable.stderr,
      /^dura: cannot reach the records database postgres:\/\/dura:\*\*\*@127\.0\.0\.1:1\/dura/,
    );
    // A bad address is answered without the database.
    assert.equal((await run(['check', 'nope'], down)).status, 1);
  });
});
