// `dura institutions export` and `import` of the whole Registered Institutions list (common/registry-file.ts,
// activities/records/registry-io.ts) on SQLite and a throwaway PostgreSQL: the JSON and CSV round trips
// into a fresh database, the older `domain,name,tiers` CSV, every problem at once by line and column or
// JSON path, --skip-invalid, spreadsheet encodings, and the CLI as a subprocess with its exit codes.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { importRegistryCsv } from '../activities/records/registry-csv';
import { exportRegistry, importRegistry } from '../activities/records/registry-io';
import { upsertInstitutions } from '../activities/records/institutions';
import { RecordsStore } from '../activities/records/store';
import {
  formatFileProblem,
  parseRegistryFile,
  registryFileFormat,
  registryJson,
} from '../common/registry-file';
import { registryCsv } from '../common/registry-file-csv';
import type { FileInstitution } from '../common/registry-file-schema';
import { decodeText } from '../common/text-file';
import { dura } from './helpers/cli';
import { TEST_DATABASES } from './helpers/engine';
import { startPostgres } from './helpers/postgres';
import { csvProblems, domainsTier } from './helpers/registry';

/** Parses the file as `institutions import` does (by name and content) and imports it. */
function importText(
  store: RecordsStore,
  name: string,
  text: string,
  options: { skipInvalid?: boolean } = {},
) {
  const format = registryFileFormat(name, text);
  assert.notEqual(format, 'csv-domain-name-tiers', `${name} read as the older CSV`);
  return importRegistry(store.db, parseRegistryFile(text, format as 'json' | 'csv'), {
    listedOn: '2026-01-15',
    ...options,
  });
}

const CSV_HEADER = 'domain,name,tiers,domains,rules,addresses,officials,contracting_contact';

for (const dialect of TEST_DATABASES) {
  describe(`institutions export and import on ${dialect}`, function () {
    let dir: string;
    let stopPostgres: () => Promise<void> = () => Promise.resolve();
    let newDatabase: () => Promise<string>;
    const stores: RecordsStore[] = [];
    let source: RecordsStore;

    /** A store on a new, empty database (migrated). */
    const freshStore = async () => {
      const store = await RecordsStore.open(await newDatabase());
      stores.push(store);
      return store;
    };

    before(async function () {
      this.timeout(120_000);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-registry-file-'));
      let n = 0;
      if (dialect === 'sqlite') {
        newDatabase = () => Promise.resolve(`sqlite:${dir}/dura-${++n}.sqlite`);
      } else {
        const postgres = await startPostgres();
        stopPostgres = () => postgres.stop();
        newDatabase = async () => {
          const name = `dura_file_${++n}`;
          const admin = new Client({ connectionString: postgres.url });
          await admin.connect();
          try {
            await admin.query(`create database ${name}`);
          } finally {
            await admin.end();
          }
          return postgres.url.replace(/\/[^/]+$/, `/${name}`);
        };
      }
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
      await source.addInstitutionOfficial('umontreal.ca', { name: 'Zoë Côté', email: 'zoe@umontreal.ca' });
      // An individual rule on a tier not listed before lists it for no one.
      await source.setTierRule('mit.edu', 'controlled', 'individual', '2025-09-09');
    });

    after(async () => {
      for (const store of stores) await store.close();
      await stopPostgres();
      fs.rmSync(dir, { recursive: true, force: true });
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
      } satisfies FileInstitution);
      // As `institutions show --json` has it.
      assert.deepEqual(uw, await source.institutionByDomain('washington.edu'));

      const csv = registryCsv(list);
      const lines = csv.split('\n');
      assert.equal(lines[0], CSV_HEADER);
      assert.equal(lines[1], 'mit.edu,MIT,controlled 2025-09-09,mit.edu,controlled=individual,,,');
      assert.equal(
        lines[3],
        'uw.edu,"University of Washington, Seattle",registered 2025-03-31 dura-uw.edu;controlled 2025-06-02,' +
          'uw.edu;u.washington.edu;washington.edu,registered=domains;controlled=individual,' +
          'controlled=ada@uw.edu 2025-07-01 ada@uw.edu-1;controlled=grace@washington.edu 2025-08-01,' +
          '"Sam Signer <osp@uw.edu> (Director (Research\\; Grants));Smith\\; Jr, Alex <alex@uw.edu>",contracts@uw.edu',
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

    it('import is an upsert: adds what is missing, updates names, rules and titles, removes nothing', async () => {
      const target = await freshStore();
      await target.importInstitutions(
        [{ domain: 'uw.edu', name: 'UW', tiers: ['registered'] }],
        '2024-01-02',
      );
      await target.addInstitutionDomain('uw.edu', 'uwb.edu');
      await target.addInstitutionOfficial('uw.edu', { name: 'Old Name', email: 'osp@uw.edu' });
      const csv = [
        CSV_HEADER,
        'UW.edu,University of Washington,registered 2025-03-31;controlled,washington.edu,controlled=individual,controlled=ada@uwb.edu,Sam Signer <osp@uw.edu> (Director),',
        'wsu.edu,Washington State University,,,,,,',
        '',
      ].join('\r\n');
      assert.deepEqual(await importText(target, 'list.csv', csv), {
        imported: 2,
        added: 1,
        changed: 1,
        unchanged: 0,
        problems: [],
      });
      const [uw, wsu] = [
        await target.institutionByDomain('uw.edu'),
        await target.institutionByDomain('wsu.edu'),
      ];
      assert.equal(uw?.name, 'University of Washington');
      assert.deepEqual(uw?.domains, ['uw.edu', 'uwb.edu', 'washington.edu']); // uwb.edu kept
      assert.deepEqual(
        uw?.tiers.map((t) => [t.tier, t.rule, t.listedOn, t.addresses.map((a) => a.email)]),
        [
          ['registered', 'domains', '2024-01-02', []], // its first listing kept
          ['controlled', 'individual', '2026-01-15', ['ada@uwb.edu']], // listed on the import's date
        ],
      );
      assert.deepEqual(uw?.officials, [{ name: 'Sam Signer', email: 'osp@uw.edu', title: 'Director' }]);
      assert.deepEqual(wsu?.tiers, []);
    });

    it('the older CSV domain,name,tiers still imports as it did', async () => {
      const target = await freshStore();
      const csv =
        'domain,name,tiers\r\nmit.edu,MIT,Registered | controlled\r\n@Wisc.EDU,"Wisconsin, Madison",registered\r\n';
      assert.equal(registryFileFormat('registered.csv', csv), 'csv-domain-name-tiers');
      assert.equal(registryFileFormat('registered.txt', csv), 'csv-domain-name-tiers');
      assert.deepEqual(await importRegistryCsv(target, csv), { imported: 2, problems: [] });
      assert.deepEqual(
        (await exportRegistry(target.db)).map((i) => [i.id, i.name, i.tiers.map((t) => t.tier)]),
        [
          ['mit.edu', 'MIT', ['registered', 'controlled']],
          ['wisc.edu', 'Wisconsin, Madison', ['registered']],
        ],
      );
    });

    it('reports every bad CSV row by line and column at once and imports nothing; --skip-invalid imports the rest', async () => {
      const target = await freshStore();
      await target.importInstitutions([{ domain: 'uw.edu', name: 'UW', tiers: ['registered'] }]);
      await target.addInstitutionDomain('uw.edu', 'washington.edu');
      const csv = [
        `${CSV_HEADER},,`,
        'good.edu,Good,registered,,,,Ann Lee <ann@good.edu>,,,',
        'not a domain,,gold 2025-13-01,,,,,',
        'x.edu,X,registered,,controlled=individual,registered=bob@,Nobody,nope',
        'y.edu,Y,registered 2025-01-01 a b,y.edu;bad_domain,registered=sometimes,,,',
        'z.edu,Z,registered,washington.edu,,registered=ada@elsewhere.edu,,',
        'good.edu,Good Again,registered,,,,,',
        'w.edu,W,registered,,,,,,,,surplus',
        'dup.edu,Dup,registered;Registered,,,,A <a@dup.edu>;B <A@dup.edu> (Dean),',
        'fine.edu,Fine,controlled,,,,,',
        '',
      ].join('\n');
      const problems = csvProblems([
        'line 3, domain: expected an e-mail domain such as uw.edu',
        'line 3, name: is empty',
        'line 3, tiers: unknown tier "gold": expected registered or controlled',
        'line 3, tiers: "2025-13-01": expected a date YYYY-MM-DD',
        'line 4, rules: "controlled=individual": the tier controlled is not in tiers',
        'line 4, addresses: "bob@": not an e-mail address',
        'line 4, officials: "Nobody": expected <name> <<email>> [(<title>)]',
        'line 4, contracting_contact: "nope": not an e-mail address',
        'line 5, tiers: "registered 2025-01-01 a b": expected <tier> [<listed-on> [<agreement-id>]]',
        'line 5, domains: "bad_domain": expected an e-mail domain such as uw.edu',
        'line 5, rules: unknown rule "sometimes": expected domains or individual',
        'line 6, domains: washington.edu: already a domain of uw.edu; a domain belongs to one institution only',
        'line 6, addresses: ada@elsewhere.edu: elsewhere.edu is not a domain of z.edu',
        'line 7, domain: good.edu repeats line 2',
        'line 8, row: expected 8 fields, found 11 (quote a value that contains a comma)',
        'line 9, tiers: "Registered": the registered tier is given twice',
        'line 9, officials: "B <A@dup.edu> (Dean)": the official a@dup.edu is given twice',
      ]);
      const before = await exportRegistry(target.db);
      const refused = await importText(target, 'bad.csv', csv);
      assert.deepEqual(refused.problems, problems, refused.problems.map(formatFileProblem).join('\n'));
      assert.equal(refused.imported, 0);
      assert.deepEqual(await exportRegistry(target.db), before);

      const skipped = await importText(target, 'bad.csv', csv, { skipInvalid: true });
      assert.deepEqual(skipped, { imported: 2, added: 2, changed: 0, unchanged: 0, problems });
      assert.deepEqual(
        (await exportRegistry(target.db)).map((i) => [i.id, i.officials.map((o) => o.email)]),
        [
          ['fine.edu', []],
          ['good.edu', ['ann@good.edu']],
          ['uw.edu', []],
        ],
      );
    });

    it('a value under no column name, or a quote never closed: every problem listed, nothing imported even with --skip-invalid', async () => {
      const target = await freshStore();
      const unnamed = [
        `${CSV_HEADER},,`,
        'a.edu,A,Registered,,,,,,,',
        'b.edu,,registered,,,,,,,note',
        'c.edu,C,registered,,,,,',
      ].join('\r\n');
      for (const skipInvalid of [false, true]) {
        const result = await importText(target, 'unnamed.csv', unnamed, { skipInvalid });
        assert.deepEqual(result.problems.map(formatFileProblem), [
          'line 1, column 10: no header, but line 3 has a value (name the column or clear it)',
          'line 3, name: is empty',
        ]);
        assert.equal(result.imported, 0);
      }
      const unclosed = [CSV_HEADER, 'a.edu,A,registered,,,,,', 'b.edu,"B,gold,,,,,', 'c.edu,C,,,,,,'].join(
        '\r\n',
      );
      const refused = await importText(target, 'unclosed.csv', unclosed, { skipInvalid: true });
      assert.deepEqual(refused.problems.map(formatFileProblem), [
        'line 3, row: a quoted value never ends (a quote is missing); nothing after it was read',
      ]);
      assert.equal(refused.imported, 0);
      assert.deepEqual(await exportRegistry(target.db), []);
    });

    it('reports every bad JSON institution by its path at once', async () => {
      const target = await freshStore();
      const json = JSON.stringify([
        { id: 'a.edu', name: 'A' },
        {
          id: 'b.edu',
          name: 'B',
          tiers: [{ tier: 'registered', rule: 'individual', addresses: [{ email: 'x@b.edu' }] }],
        },
        { id: 'c.edu', name: 12, tiers: [{ tier: 'gold' }, { tier: 'controlled', listedOn: '2025-02-30' }] },
        {
          id: 'd.edu',
          name: 'D',
          officials: [
            { name: 'Sam', email: 'sam at d.edu' },
            { name: '', email: 'ok@d.edu', titel: 'x' },
          ],
          domains: ['a.edu'],
        },
        { name: 'E', contractingContact: null },
        'f.edu',
      ]);
      const refused = await importText(target, 'list.json', json);
      assert.deepEqual(refused.problems.map(formatFileProblem), [
        '[2].name: expected a name as a string',
        '[2].tiers[0].tier: unknown tier "gold": expected registered or controlled',
        '[2].tiers[1].listedOn: "2025-02-30": expected a date YYYY-MM-DD',
        '[3].officials[0].email: "sam at d.edu": not an e-mail address',
        '[3].officials[1].name: is empty',
        '[3].officials[1].titel: unknown field',
        '[4].id: is missing',
        '[5]: Invalid input: expected object, received string',
      ]);
      assert.equal(refused.imported, 0);
      assert.deepEqual(await exportRegistry(target.db), []);
      const skipped = await importText(target, 'list.json', json, { skipInvalid: true });
      assert.equal(skipped.imported, 2);
      assert.deepEqual(
        (await exportRegistry(target.db)).map((i) => i.id),
        ['a.edu', 'b.edu'],
      );
      // d.edu fixed: its domain a.edu is now a.edu's own.
      const again = JSON.stringify([{ id: 'd.edu', name: 'D', domains: ['a.edu'] }]);
      assert.deepEqual((await importText(target, 'fix.json', again)).problems.map(formatFileProblem), [
        '[0].domains[0]: a.edu: already a domain of a.edu; a domain belongs to one institution only',
      ]);
      assert.deepEqual(parseRegistryFile('[{"id": "a.edu",}]', 'json').problems.map(formatFileProblem), [
        '$: not JSON: Expected double-quoted property name (line 1, column 17)',
      ]);
      assert.deepEqual(parseRegistryFile('{"id": "a.edu"}', 'json').problems.map(formatFileProblem), [
        '$: expected an array of institutions',
      ]);
    });

    it('reads spreadsheets: UTF-16 with a BOM and Windows-1252, with empty trailing columns', async () => {
      const target = await freshStore();
      const rows = [
        `${CSV_HEADER},,,`,
        'umontreal.ca,Université de Montréal,registered 2025-01-02,,,,Zoë Côté <zoe@umontreal.ca> (Vice-rectrice),,,,',
        ',,,,,,,,,,',
        '',
      ].join('\r\n');
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rows, 'utf16le')]);
      const decoded = decodeText(utf16);
      assert.equal(decoded.encoding, 'utf-16le');
      assert.equal(decoded.text, rows);
      assert.equal((await importText(target, 'export.csv', decoded.text)).added, 1);

      // Excel's "CSV" on Windows: Windows-1252, the older three columns and empty ones after them.
      const latin = Buffer.from(
        'domain,name,tiers,,\r\nusp.br,Universidade de S\xe3o Paulo \x96 USP,registered,,\r\n',
        'latin1',
      );
      const cp1252 = decodeText(latin);
      assert.equal(cp1252.encoding, 'windows-1252');
      assert.equal(registryFileFormat('usp.csv', cp1252.text), 'csv-domain-name-tiers');
      assert.deepEqual(await importRegistryCsv(target, cp1252.text), { imported: 1, problems: [] });

      const utf16be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(rows, 'utf16le').swap16()]);
      assert.equal(decodeText(utf16be).text, rows);
      assert.deepEqual(decodeText(Buffer.from(`\uFEFF${rows}`)), { text: rows, encoding: 'utf-8' });

      assert.deepEqual(
        (await exportRegistry(target.db)).map((i) => [
          i.name,
          i.officials.map((o) => `${o.name}, ${o.title}`),
        ]),
        [
          ['Université de Montréal', ['Zoë Côté, Vice-rectrice']],
          ['Universidade de São Paulo – USP', []],
        ],
      );
    });

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
      assert.equal(seeded.stdout, 'imported 3 institution(s): 3 added, 0 changed, 0 unchanged\n');

      const json = await dura(['institutions', 'export'], from);
      assert.equal(json.status, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout), await exportRegistry(source.db));
      const csv = await dura(['institutions', 'export', '--csv'], from);
      assert.equal(csv.status, 0, csv.stderr);
      assert.equal(csv.stdout, registryCsv(await exportRegistry(source.db)));

      const out = path.join(dir, `${dialect}-out.csv`);
      const written = await dura(['institutions', 'export', '--output', out], from);
      assert.equal(written.status, 0, written.stderr);
      assert.equal(written.stdout, `exported 3 institution(s) to ${out} (CSV)\n`);
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
        `${CSV_HEADER}\nok.edu,OK,registered,,,,,\nbad,,registered,,,,,\nuw.edu,X,gold,,,,,\n`,
      );
      const refused = await dura(['institutions', 'import', bad], to);
      assert.equal(refused.status, 1);
      assert.equal(refused.stdout, '');
      assert.equal(
        refused.stderr,
        [
          `dura: ${bad}: nothing imported; 3 problem(s) in 2 row(s):`,
          'dura: line 3, domain: expected an e-mail domain such as uw.edu',
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
        /^imported 1 institution\(s\): 1 added, 0 changed, 0 unchanged\nskipped line 3, domain: /,
      );

      const badJson = file(
        'bad.json',
        '[{"id": "q.edu", "name": "Q", "officials": [{"name": "S", "email": "nope"}]}]',
      );
      const jsonRefused = await dura(['institutions', 'import', badJson], to);
      assert.equal(jsonRefused.status, 1);
      assert.match(
        jsonRefused.stderr,
        /nothing imported; 1 problem\(s\) in 1 institution\(s\):\ndura: \[0\]\.officials\[0\]\.email: "nope": not an e-mail address\n$/,
      );

      // Excel's "CSV (Comma delimited)" on Windows: Windows-1252, empty columns after the last, tiers in any case.
      const excel = path.join(__dirname, 'fixtures', 'csv', 'institutions-windows-1252.csv');
      const fromExcel = await dura(['institutions', 'import', excel], to);
      assert.equal(fromExcel.status, 0, fromExcel.stderr);
      assert.equal(fromExcel.stdout, 'imported 2 institution(s): 2 added, 0 changed, 0 unchanged\n');
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
      assert.match(oldRefused.stderr, /nothing imported; 3 invalid row\(s\):\ndura: line 3, domain: /);

      const both = await dura(['institutions', 'export', '--csv', '--json'], to);
      assert.equal(both.status, 1);
      assert.match(both.stderr, /^dura: option '--csv' cannot be used with option '--json'/);
      const missing = await dura(['institutions', 'import', path.join(dir, 'nope.json')], to);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /^dura: file: cannot read .*nope\.json: ENOENT\n$/);
      const unwritable = await dura(
        ['institutions', 'export', '--output', path.join(dir, 'no', 'x.json')],
        to,
      );
      assert.equal(unwritable.status, 1);
      assert.match(unwritable.stderr, /^dura: --output: cannot write .*x\.json: ENOENT\n$/);
    });
  });
}
