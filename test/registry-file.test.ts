// `dura institutions export` and `import` of the whole Registered Institutions list (common/registry-file.ts,
// activities/records/registry-io.ts) on SQLite and a throwaway PostgreSQL: a whole registry exported in
// JSON and CSV, the round trips into a fresh database, and the CLI as a subprocess with its exit codes
// (a Windows-1252 spreadsheet of test/fixtures/csv among its inputs). What an import adds and changes,
// its problems and the encodings it reads: registry-file-import.test.ts.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportRegistry } from '../activities/records/registry-io';
import { upsertInstitutions } from '../activities/records/institutions';
import type { RecordsStore } from '../activities/records/store';
import { registryJson } from '../common/registry-file';
import { registryCsv } from '../common/registry-file-csv';
import type { FileInstitution } from '../common/registry-file-schema';
import { dura } from './helpers/cli';
import { TEST_DATABASES } from './helpers/engine';
import { domainsTier } from './helpers/registry';
import { CSV_HEADER, CSV_HEADER_8, importText, registryDatabases } from './helpers/registry-file';

for (const dialect of TEST_DATABASES) {
  describe(`institutions export and import on ${dialect}`, function () {
    const databases = registryDatabases(dialect);
    const { freshStore, newDatabase } = databases;
    let dir: string;
    let source: RecordsStore;

    before(async () => {
      dir = databases.dir;
      source = await freshStore();
      // The whole registry: several domains, both rules, addresses by agreement, officials (one without a
      // title, one whose name needs escaping in CSV), a contracting contact, names with commas, quotes and
      // accents, a tier listed by an agreement, and an institution with no tier.
      await upsertInstitutions(
        source.db,
        [{ domain: 'uw.edu', name: 'University of Washington, Seattle', tiers: ['registered'] }],
        { listedOn: '2025-03-31', agreementId: 'dura-uw.edu', rename: true },
      );
      await source.importInstitutions(
        [
          { domain: 'uw.edu', name: 'University of Washington, Seattle', tiers: ['controlled'] },
          { domain: 'umontreal.ca', name: 'Université de Montréal "UdeM"', tiers: ['registered'] },
          { domain: 'mit.edu', name: 'MIT', tiers: [] },
        ],
        '2025-06-02',
      );
      await source.addInstitutionDomain('uw.edu', 'washington.edu');
      await source.addInstitutionDomain('uw.edu', 'u.washington.edu');
      await source.setTierRule('uw.edu', 'controlled', 'individual');
      await source.addInstitutionAddress('uw.edu', 'controlled', 'ada@uw.edu', {
        listedOn: '2025-07-01',
        agreementId: 'ada@uw.edu-1',
      });
      await source.addInstitutionAddress('uw.edu', 'controlled', 'grace@washington.edu', {
        listedOn: '2025-08-01',
      });
      await source.addInstitutionOfficial('uw.edu', {
        name: 'Sam Signer',
        email: 'osp@uw.edu',
        title: 'Director (Research; Grants)',
      });
      await source.addInstitutionOfficial('uw.edu', { name: 'Smith; Jr, Alex', email: 'alex@uw.edu' });
      await source.setContractingContact('uw.edu', 'contracts@uw.edu');
      await source.setReportContact('uw.edu', 'Research-Office@uw.edu');
      await source.addInstitutionOfficial('umontreal.ca', { name: 'Zoë Côté', email: 'zoe@umontreal.ca' });
      // An individual rule on a tier not listed before lists it for no one.
      await source.setTierRule('mit.edu', 'controlled', 'individual', '2025-09-09');
    });

    it('exports every institution whole, in the order of their ids', async () => {
      const list = await exportRegistry(source.db);
      assert.deepEqual(
        list.map((i) => i.id),
        ['mit.edu', 'umontreal.ca', 'uw.edu'],
      );
      const uw = list.find((i) => i.id === 'uw.edu');
      assert.deepEqual(uw, {
        id: 'uw.edu',
        name: 'University of Washington, Seattle',
        domains: ['uw.edu', 'u.washington.edu', 'washington.edu'],
        tiers: [
          domainsTier('registered', '2025-03-31', 'dura-uw.edu'),
          {
            tier: 'controlled',
            rule: 'individual',
            listedOn: '2025-06-02',
            agreementId: null,
            addresses: [
              { email: 'ada@uw.edu', listedOn: '2025-07-01', agreementId: 'ada@uw.edu-1' },
              { email: 'grace@washington.edu', listedOn: '2025-08-01', agreementId: null },
            ],
          },
        ],
        officials: [
          { name: 'Sam Signer', email: 'osp@uw.edu', title: 'Director (Research; Grants)' },
          { name: 'Smith; Jr, Alex', email: 'alex@uw.edu', title: null },
        ],
        contractingContact: 'contracts@uw.edu',
        reportContact: 'research-office@uw.edu',
      } satisfies FileInstitution);
      // As `institutions show --json` has it.
      assert.deepEqual(uw, await source.institutionByDomain('washington.edu'));

      const csv = registryCsv(list);
      const lines = csv.split('\n');
      assert.equal(lines[0], CSV_HEADER);
      assert.equal(lines[1], 'mit.edu,MIT,controlled 2025-09-09,mit.edu,controlled=individual,,,,');
      assert.equal(
        lines[3],
        'uw.edu,"University of Washington, Seattle",registered 2025-03-31 dura-uw.edu;controlled 2025-06-02,' +
          'uw.edu;u.washington.edu;washington.edu,registered=domains;controlled=individual,' +
          'controlled=ada@uw.edu 2025-07-01 ada@uw.edu-1;controlled=grace@washington.edu 2025-08-01,' +
          '"Sam Signer <osp@uw.edu> (Director (Research\\; Grants));Smith\\; Jr, Alex <alex@uw.edu>",contracts@uw.edu,research-office@uw.edu',
      );
    });

    for (const [format, name, write] of [
      ['JSON', 'institutions.json', registryJson],
      ['CSV', 'institutions.csv', registryCsv],
    ] as const) {
      it(`round trip in ${format}: export, import into a fresh database, export the same; again changes nothing`, async () => {
        const exported = await exportRegistry(source.db);
        const text = write(exported);
        const target = await freshStore();
        const first = await importText(target, name, text);
        assert.deepEqual(first, { imported: 3, added: 3, changed: 0, unchanged: 0, problems: [] });
        assert.deepEqual(await exportRegistry(target.db), exported);
        assert.equal(write(await exportRegistry(target.db)), text);

        const again = await importText(target, name, text);
        assert.deepEqual(again, { imported: 3, added: 0, changed: 0, unchanged: 3, problems: [] });
        assert.deepEqual(await exportRegistry(target.db), exported);
        // Into the source itself: nothing changes either.
        assert.equal((await importText(source, name, text)).unchanged, 3);
      });
    }

    it('the CLI: export (JSON, CSV, to a file) and import exit 0; problems exit 1 on stderr', async function () {
      this.timeout(120_000);
      const from = { DATABASE_URL: await newDatabase() };
      const to = { DATABASE_URL: await newDatabase() };
      const file = (name: string, text: string | Buffer) => {
        const at = path.join(dir, `${dialect}-${name}`);
        fs.writeFileSync(at, text);
        return at;
      };
      // The source's list into the CLI's database, through the CLI.
      const seed = file('seed.json', registryJson(await exportRegistry(source.db)));
      const seeded = await dura(['institutions', 'import', seed], from);
      assert.equal(seeded.status, 0, seeded.stderr);
      assert.equal(seeded.stdout, 'imported 3 institutions: 3 added, 0 changed, 0 unchanged\n');

      const json = await dura(['institutions', 'export'], from);
      assert.equal(json.status, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout), await exportRegistry(source.db));
      const csv = await dura(['institutions', 'export', '--csv'], from);
      assert.equal(csv.status, 0, csv.stderr);
      assert.equal(csv.stdout, registryCsv(await exportRegistry(source.db)));

      const out = path.join(dir, `${dialect}-out.csv`);
      const written = await dura(['institutions', 'export', '--output', out], from);
      assert.equal(written.status, 0, written.stderr);
      assert.equal(written.stdout, `exported 3 institutions to ${out} (CSV)\n`);
      assert.equal(fs.readFileSync(out, 'utf8'), `\uFEFF${csv.stdout}`);

      const imported = await dura(['institutions', 'import', out, '--json'], to);
      assert.equal(imported.status, 0, imported.stderr);
      assert.deepEqual(JSON.parse(imported.stdout), {
        file: out,
        format: 'csv',
        imported: 3,
        added: 3,
        changed: 0,
        unchanged: 0,
        problems: [],
      });
      assert.equal((await dura(['institutions', 'export'], to)).stdout, json.stdout);

      const bad = file(
        'bad.csv',
        `${CSV_HEADER_8}\nok.edu,OK,registered,,,,,\nbad,,registered,,,,,\nuw.edu,X,gold,,,,,\n`,
      );
      const refused = await dura(['institutions', 'import', bad], to);
      assert.equal(refused.status, 1);
      assert.equal(refused.stdout, '');
      assert.equal(
        refused.stderr,
        [
          `dura: ${bad}: nothing imported; 3 problems in 2 rows:`,
          'dura: line 3, domain: "bad": expected an e-mail domain such as uw.edu',
          'dura: line 3, name: is empty',
          'dura: line 4, tiers: unknown tier "gold": expected registered or controlled',
          '',
        ].join('\n'),
      );
      assert.equal((await dura(['institutions', 'show', 'ok.edu'], to)).status, 1);
      const skipped = await dura(['institutions', 'import', bad, '--skip-invalid'], to);
      assert.equal(skipped.status, 0, skipped.stderr);
      assert.match(
        skipped.stdout,
        /^imported 1 institution: 1 added, 0 changed, 0 unchanged\nskipped line 3, domain: /,
      );

      const badJson = file(
        'bad.json',
        '[{"id": "q.edu", "name": "Q", "officials": [{"name": "S", "email": "nope"}]}]',
      );
      const jsonRefused = await dura(['institutions', 'import', badJson], to);
      assert.equal(jsonRefused.status, 1);
      assert.match(
        jsonRefused.stderr,
        /nothing imported; 1 problem in 1 institution:\ndura: \[0\]\.officials\[0\]\.email: "nope": not an e-mail address\n$/,
      );

      // Excel's "CSV (Comma delimited)" on Windows: Windows-1252, empty columns after the last, tiers in any case.
      const excel = path.join(__dirname, 'fixtures', 'csv', 'institutions-windows-1252.csv');
      const fromExcel = await dura(['institutions', 'import', excel], to);
      assert.equal(fromExcel.status, 0, fromExcel.stderr);
      assert.equal(fromExcel.stdout, 'imported 2 institutions: 2 added, 0 changed, 0 unchanged\n');
      const exported = JSON.parse((await dura(['institutions', 'export'], to)).stdout) as FileInstitution[];
      const uzh = exported.find((i) => i.id === 'uzh.ch');
      assert.equal(uzh?.name, 'Universität Zürich');
      assert.deepEqual(uzh?.officials, [
        { name: 'José Müller', email: 'osp@uzh.ch', title: 'Directeur – Recherche' },
      ]);
      assert.deepEqual(
        uzh?.tiers.map((t) => [t.tier, t.rule, t.addresses.map((a) => a.email)]),
        [
          ['registered', 'domains', []],
          ['controlled', 'individual', ['jose.mueller@uzh.ch']],
        ],
      );
      assert.deepEqual(
        exported.find((i) => i.id === 'usp.br')?.tiers.map((t) => t.tier),
        ['registered'],
      );

      const old = file('old.csv', 'domain,name,tiers\nold.edu,Old,registered\nbad,,gold\n');
      const oldRefused = await dura(['institutions', 'import', old], to);
      assert.equal(oldRefused.status, 1);
      assert.match(oldRefused.stderr, /nothing imported; 3 problems in 1 row:\ndura: line 3, domain: /);

      const both = await dura(['institutions', 'export', '--csv', '--json'], to);
      assert.equal(both.status, 1);
      assert.match(both.stderr, /^dura: --csv and --json: choose one\n$/);
      const missing = await dura(['institutions', 'import', path.join(dir, 'nope.json')], to);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /^dura: \/.*nope\.json: no such file or directory \(ENOENT\)\n$/);
      const unwritable = await dura(
        ['institutions', 'export', '--output', path.join(dir, 'no', 'x.json')],
        to,
      );
      assert.equal(unwritable.status, 1);
      assert.match(
        unwritable.stderr,
        /^dura: --output: cannot write .*x\.json: no such file or directory \(ENOENT\)\n$/,
      );
    });
  });
}
