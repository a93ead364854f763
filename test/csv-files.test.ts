// Reading CSV files as spreadsheets save them (common/text-file.ts, common/csv.ts): the encodings, the
// separators, the line each record starts on, empty columns and rows; the files in test/fixtures/csv.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import iconv from 'iconv-lite';
import { formatProblem, readCsv, readTable } from '../common/csv';
import { parseRegistryFile } from '../common/registry-file';
import { parseRequestCsv } from '../common/request-csv';
import { decodeText } from '../common/text-file';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', 'csv', name));
const now = new Date('2026-11-20T15:00:00Z');

describe('spreadsheet encodings', () => {
  it('Excel "CSV (Comma delimited)" is Windows-1252: accents and an en dash read right, never �', () => {
    const { text, encoding } = decodeText(fixture('requests-windows-1252.csv'));
    assert.equal(encoding, 'windows-1252');
    assert.doesNotMatch(text, /\uFFFD/);
    const { rows, problems } = parseRequestCsv(text, now);
    assert.deepEqual(problems, []);
    assert.equal(rows[0]!.request.institution.name, 'Universität Zürich');
    assert.equal(rows[0]!.request.requester.name, 'José Müller');
    assert.equal(rows[0]!.request.signingOfficial.title, 'Directrice – Recherche');
  });

  it("a Mac's CSV (Mac Roman) is read as Mac Roman; a byte no reading explains is refused by its line", () => {
    const text = 'institution_name,requester_name\r\nUniversité de Montréal,Zoë Côté\r\nÉcole,Hélène\r\n';
    const mac = decodeText(iconv.encode(text, 'macintosh'));
    assert.deepEqual([mac.encoding, mac.text], ['macintosh', text]);
    // Letters Windows-1252 reads as other letters: ö as š, ’ as Õ (a trial's "Schršder", "Pat OÕNeil").
    const names = 'requester_name,official_name\r\nAna Schröder,Pat O’Neil\r\n';
    assert.deepEqual(decodeText(iconv.encode(names, 'macintosh')), { text: names, encoding: 'macintosh' });
    assert.equal(decodeText(iconv.encode(names, 'windows-1252')).encoding, 'windows-1252');
    // The same letters from Windows stay Windows-1252 (what the fixture above checks at length).
    assert.equal(decodeText(iconv.encode(text, 'windows-1252')).encoding, 'windows-1252');
    // A byte Windows-1252 leaves undefined, which Mac Roman reads as a misfit too: neither is the file's.
    const bytes = Buffer.concat([
      Buffer.from('a,b\r\nx,y\r\nMa'),
      Buffer.from([0x81]),
      Buffer.from('ne,z\r\n'),
    ]);
    assert.throws(
      () => decodeText(bytes),
      /^Error: line 3: a character that could not be read \(shown as \uFFFD\): the file is not UTF-8, UTF-16, Windows-1252 or Mac Roman; save it as "CSV UTF-8" and try again$/,
    );
  });

  it('a file edited in two programs, lines in UTF-8 beside lines in Windows-1252 or Mac Roman: each line read as saved', () => {
    const header = 'institution_name;requester_name;official_name\r\n';
    const utf8Line = 'Université Laval;Zoé Roy;Benoît Gagné\r\n';
    const legacyLine = 'École Polytechnique;Hélène Côté;Frédéric Paré\r\n';
    for (const legacy of ['windows-1252', 'macintosh'] as const) {
      const bytes = Buffer.concat([
        Buffer.from(header + utf8Line),
        iconv.encode(legacyLine, legacy),
        Buffer.from('Universität Zürich;José Müller;Søren Ørsted'),
      ]);
      const { text, encoding } = decodeText(bytes);
      assert.equal(encoding, legacy);
      assert.equal(text, header + utf8Line + legacyLine + 'Universität Zürich;José Müller;Søren Ørsted');
    }
  });

  it('a workbook (.xlsx, .ods, .xls) is refused as such, not read as text (a trial saw its ZIP header as a column)', () => {
    // The first bytes of each container: ZIP (Office Open XML, OpenDocument), OLE2 (Excel 97–2003).
    const zip = Buffer.concat([
      Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'latin1'),
      Buffer.alloc(64, 7),
    ]);
    const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    assert.throws(() => decodeText(zip), {
      message:
        'a workbook (.xlsx or .ods), not CSV text: save it as "CSV UTF-8" in the spreadsheet and try again',
    });
    assert.throws(() => decodeText(ole), /^Error: a workbook \(\.xls\), not CSV text/);
    // Text that merely starts with the letters PK is text.
    assert.equal(decodeText(Buffer.from('PK,name\n')).text, 'PK,name\n');
  });

  it('UTF-8 with a BOM, and without one', () => {
    const bytes = fixture('requests-utf8-bom.csv');
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const { text, encoding } = decodeText(bytes);
    assert.equal(encoding, 'utf-8');
    assert.ok(text.startsWith('institution_name,'), 'the BOM is not part of the first column name');
    assert.equal(decodeText(bytes.subarray(3)).text, text);
    const { rows } = parseRequestCsv(text, now);
    assert.equal(rows[0]!.request.institution.name, 'Université de Montréal');
    assert.equal(rows[0]!.request.requester.name, 'Renée Lévesque');
  });

  it('a UTF-8 BOM before Windows-1252 text (an editor added it): read as Windows-1252, without it', () => {
    const text = 'email,step,completed_on\r\nzoë@uw.edu,account,2026-11-18\r\n';
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), iconv.encode(text, 'windows-1252')]);
    assert.deepEqual(decodeText(bytes), { text, encoding: 'windows-1252' });
  });

  it('Excel "Unicode text": UTF-16 LE with a BOM and tabs between the columns', () => {
    const bytes = fixture('requests-unicode-text.txt');
    const { text, encoding } = decodeText(bytes);
    assert.equal(encoding, 'utf-16le');
    const { rows, problems } = parseRequestCsv(text, now);
    assert.deepEqual(problems, []);
    assert.deepEqual(rows[0], {
      line: 2,
      request: {
        institution: { name: '東京大学 (University of Tokyo)', domain: 'u-tokyo.ac.jp' },
        requester: { name: 'Łukasz Wiśniewski', email: 'lukasz@u-tokyo.ac.jp' },
        signingOfficial: { name: 'Søren Ørsted', email: 'osp@u-tokyo.ac.jp' },
        tiers: ['registered', 'controlled'],
        receivedAt: now.toISOString(),
      },
    });
    // The same text in UTF-16 BE with a BOM, and in UTF-16 LE without one (found by its zero bytes).
    const le = bytes.subarray(2);
    assert.deepEqual(decodeText(le), { text, encoding: 'utf-16le' });
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
    assert.deepEqual(decodeText(be), { text, encoding: 'utf-16be' });
  });
});

describe('CSV records and their lines', () => {
  it('counts the lines of a quoted value with CRLF inside: a bad row after it names its own line', () => {
    const text = decodeText(fixture('requests-crlf-quoted.csv')).text;
    assert.match(text, /"Director,\r\nOffice of Research\r\nand Grants"/);
    // csv-parse's info.lines would put the Zeta row on line 7.
    assert.deepEqual(
      readCsv(text).map((r) => r.line),
      [1, 2, 5],
    );
    assert.deepEqual(parseRequestCsv(text, now).problems.map(formatProblem), [
      'line 2, official_title: must be one line',
      'line 5, requester_email: "not-an-email": not an e-mail address',
    ]);
  });

  it('LF, CR and mixed line endings; blank lines count; spaces around a quoted value', () => {
    const records = readCsv('a,b\n1,2\r\n\r\n3,"x\ny"\r4,  "five, 5"  \n\n6,7');
    assert.deepEqual(
      records.map((r) => [r.line, ...r.fields]),
      [
        [1, 'a', 'b'],
        [2, '1', '2'],
        [4, '3', 'x\ny'],
        [6, '4', 'five, 5'],
        [8, '6', '7'],
      ],
    );
  });

  it('a quote never closed or text after a closing quote: its line, and nothing after it is read', () => {
    assert.deepEqual(readCsv('a,b\r\n"x\r\ny",1\r\n2,"oops\r\n3,4\r\n'), [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x\r\ny', '1'] },
      {
        line: 4,
        fields: [],
        error: 'a quoted value never ends (a quote is missing); nothing after it was read',
      },
    ]);
    assert.deepEqual(readCsv('a,b\n1,"x"y\n2,3\n').slice(1), [
      {
        line: 2,
        fields: [],
        error:
          'text after a closing quote (write a quote inside a quoted value as ""); nothing after it was read',
      },
    ]);
    // A quote inside an unquoted value is a character, as Excel reads it.
    assert.deepEqual(readCsv('a,b\n1,5" disk\n')[1]!.fields, ['1', '5" disk']);
  });

  it("the separator is the header's: tabs or semicolons when it has no comma", () => {
    assert.deepEqual(readCsv('a\tb\n1,5\t2\n')[1]!.fields, ['1,5', '2']);
    assert.deepEqual(readCsv('a;b\n"x;y";2\n')[1]!.fields, ['x;y', '2']);
    assert.deepEqual(readCsv('a,b;c\n1;2,3\n')[1]!.fields, ['1;2', '3']);
    // A row with one value too many names the file's separator.
    assert.deepEqual(readTable('a;b\n1;2;3\n').problems.map(formatProblem), [
      'line 2, row: expected 2 fields, found 3 (quote a value that contains a semicolon)',
    ]);
  });
});

describe('CSV tables: empty columns and rows as spreadsheets export them', () => {
  it('ignores blank columns after the last name (,,,) and blank rows (,,,,)', () => {
    const table = readTable('a,b,,,\r\n1,2,,,\r\n,,,,\r\n3,4,,,,,\r\n');
    assert.deepEqual(table, {
      header: { line: 1, names: ['a', 'b'] },
      rows: [
        { line: 2, cells: ['1', '2'] },
        { line: 4, cells: ['3', '4'] },
      ],
      problems: [],
      fatal: false,
    });
  });

  it('a value under no name is a problem at the header naming the column; so are rows of the wrong length', () => {
    const table = readTable('a,,b,c,,,\n1,,2,3,,,\n4,,5,6,,x,\n7,y,8,9\n10,11\n12,13,14,15,,,,z\n');
    assert.deepEqual(table.problems.map(formatProblem), [
      'line 1, column 2: no header, but line 4 has a value (name the column or clear it)',
      'line 1, column 6: no header, but line 3 has a value (name the column or clear it)',
      'line 5, row: expected 4 fields, found 2',
      'line 6, row: expected 4 fields, found 8 (quote a value that contains a comma)',
    ]);
    assert.equal(table.fatal, true);
    assert.deepEqual(
      table.rows.map((r) => r.line),
      [2, 3, 4],
    );
  });
});

describe('the request and institutions files from a spreadsheet', () => {
  it('requests: trailing empty columns, blank rows and tiers in any case', () => {
    const { rows, problems, fatal } = parseRequestCsv(
      decodeText(fixture('requests-trailing-columns.csv')).text,
      now,
    );
    assert.deepEqual(problems, []);
    assert.equal(fatal, false);
    assert.deepEqual(
      rows.map((r) => [r.line, r.request.institution.domain, r.request.tiers]),
      [
        [2, 'gamma.edu', ['registered']],
        [4, 'delta.edu', ['registered', 'controlled']],
        [5, 'gamma.edu', ['registered']],
      ],
    );
  });

  it('requests: every problem of the file at once, by line and column as the header names it', () => {
    const parsed = parseRequestCsv(decodeText(fixture('requests-problems.csv')).text, now);
    const lines = parsed.problems.map(formatProblem);
    assert.deepEqual(lines.slice(0, 4), [
      'line 2, official_email: required',
      'line 3, domain: "theta": expected an e-mail domain such as uw.edu',
      'line 3, official_name: required',
      'line 3, tiers: unknown tier "gold": expected registered or controlled',
    ]);
    assert.match(lines[4]!, /^line 4, received_at: /);
    assert.equal(lines[5], 'line 5, row: expected 9 fields, found 10 (quote a value that contains a comma)');
    assert.equal(lines.length, 6);
    assert.deepEqual(parsed.rows, []);
  });

  it('institutions: Windows-1252, empty columns after the last, tiers in any case', () => {
    const { text } = decodeText(fixture('institutions-windows-1252.csv'));
    const parsed = parseRegistryFile(text, 'csv');
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.entries.map((e) => [e.source, e.name, e.tiers.map((t) => t.tier), e.officials[0]?.name]),
      [
        [{ line: 2 }, 'Universität Zürich', ['registered', 'controlled'], 'José Müller'],
        [{ line: 4 }, 'Universidade de São Paulo', ['registered'], undefined],
      ],
    );
  });
});
