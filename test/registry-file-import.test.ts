// `dura institutions import` of the Registered Institutions list (common/registry-file.ts,
// activities/records/registry-io.ts) on SQLite and a throwaway PostgreSQL: an import is an upsert, the
// older `domain,name,tiers` CSV, every problem at once by line and column or JSON path, --skip-invalid,
// and spreadsheet encodings. Export, round trips and the CLI: registry-file.test.ts.
import { strict as assert } from 'node:assert';
import { importRegistryCsv } from '../activities/records/registry-csv';
import { exportRegistry } from '../activities/records/registry-io';
import { formatFileProblem, parseRegistryFile, registryFileFormat } from '../common/registry-file';
import { decodeText } from '../common/text-file';
import { TEST_DATABASES } from './helpers/engine';
import { csvProblems } from './helpers/registry';
import { CSV_HEADER_8 as CSV_HEADER, importText, registryDatabases } from './helpers/registry-file';

for (const dialect of TEST_DATABASES) {
  describe(`institutions export and import on ${dialect}`, function () {
    const { freshStore } = registryDatabases(dialect);

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
        'y.edu,Y,registered 2025-01-01 a b,y.edu;bad_domain;https://www.y2.edu/,registered=sometimes,,,',
        'z.edu,Z,registered,washington.edu,,registered=ada@elsewhere.edu,,',
        'good.edu,Good Again,registered,,,,,',
        'w.edu,W,registered,,,,,,,,surplus',
        'dup.edu,Dup,registered;Registered,,,,A <a@dup.edu>;B <A@dup.edu> (Dean),',
        'fine.edu,Fine,controlled,,,,,',
        'mail.edu,Mail,registered,yahoo.com,,,,',
        '',
      ].join('\n');
      const problems = csvProblems([
        'line 3, domain: "not a domain": expected an e-mail domain such as uw.edu',
        'line 3, name: is empty',
        'line 3, tiers: unknown tier "gold": expected registered or controlled',
        'line 3, tiers: "2025-13-01": expected a date YYYY-MM-DD',
        'line 4, rules: "controlled=individual": the tier controlled is not in tiers',
        'line 4, addresses: "bob@": not an e-mail address',
        'line 4, officials: "Nobody": expected <name> <<email>> [(<title>)]',
        'line 4, contracting_contact: "nope": not an e-mail address',
        'line 5, tiers: "registered 2025-01-01 a b": expected <tier> [<listed-on> [<agreement-id>]]',
        'line 5, domains: "bad_domain": expected an e-mail domain such as uw.edu',
        'line 5, domains: "https://www.y2.edu/": an e-mail domain, not the web site\'s: type y2.edu',
        'line 5, rules: unknown rule "sometimes": expected domains or individual',
        'line 6, domains: washington.edu: already a domain of uw.edu; a domain belongs to one institution only',
        'line 6, addresses: ada@elsewhere.edu: elsewhere.edu is not a domain of z.edu',
        'line 7, domain: good.edu repeats line 2',
        'line 8, row: expected 8 fields, found 11 (quote a value that contains a comma)',
        'line 9, tiers: "Registered": the registered tier is given twice',
        'line 9, officials: "B <A@dup.edu> (Dean)": the official a@dup.edu is given twice',
        'line 11, domains: "yahoo.com": yahoo.com is a personal e-mail provider\'s: listed, it would cover everyone who writes from it',
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
  });
}
