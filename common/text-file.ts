/**
 * The text of a file as spreadsheets save it: UTF-8 (with or without a byte-order mark), UTF-16 (Excel's
 * "Unicode text"; little- or big-endian, with a BOM or recognised by its zero bytes), Windows-1252
 * (Excel's "CSV" on Windows: a file that is not valid UTF-8) or Mac Roman (a Mac's "CSV", told from
 * Windows-1252 by which reading fits its words, `misfits`). The BOM is not part of the text.
 */

import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { fileProblem } from './file-problem';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'macintosh';

/**
 * A file's text, decoded as decodeText does. Throws `<file>: <reason>`, the path as given
 * and why, e.g. `x.csv: no such file or directory (ENOENT)`.
 */
export function readTextFile(file: string): { text: string; encoding: TextEncoding } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: ${fileProblem(err)}`, { cause: err });
  }
  try {
    return decodeText(bytes);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The bytes decoded, and the encoding they were read as. Throws `line N: …` when a character could not
 * be read (U+FFFD in the text): a file in another encoding (a Mac's "CSV" is Mac Roman) would otherwise
 * put garbled names into agreements and mail.
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncoding } {
  // A workbook read as text is noise (a trial's .xlsx was answered with its ZIP header as a column name).
  const workbook = workbookKind(bytes);
  if (workbook)
    throw new Error(
      `a workbook (${workbook}), not CSV text: save it as "CSV UTF-8" in the spreadsheet and try again`,
    );
  // A UTF-8 byte-order mark on text that is not UTF-8 (an editor added it to Excel's Windows-1252
  // "CSV"): the text is read without it, as a file without one would be.
  if (hasUtf8Bom(bytes) && !isUtf8(bytes)) bytes = bytes.subarray(3);
  const detected = detectEncoding(bytes);
  // ignoreBOM: false (the default) drops a BOM of the encoding decoded.
  const { text, encoding } =
    detected === 'windows-1252'
      ? lineByLine(bytes)
      : { text: new TextDecoder(detected).decode(bytes), encoding: detected };
  const lost = text.indexOf('\uFFFD');
  if (lost >= 0)
    throw new Error(
      `line ${text.slice(0, lost).split('\n').length}: a character that could not be read (shown as \uFFFD): ` +
        'the file is not UTF-8, UTF-16, Windows-1252 or Mac Roman; save it as "CSV UTF-8" and try again',
    );
  return { text: text.replace(/^\uFEFF/, ''), encoding };
}

/**
 * A file that is not UTF-8 as a whole, read line by line: a line whose letters beyond ASCII are valid
 * UTF-8 was saved as UTF-8 (a trial's file, edited in two programs, held "Université Laval" in UTF-8
 * beside "École" in Windows-1252, and the whole read as Windows-1252 mailed "UniversitÃ© Laval"); the
 * rest are Windows-1252 or Mac Roman, by singleByte. Windows-1252 text is valid UTF-8 only by
 * accident ("Ã©" in a name), so a line's own bytes tell.
 */
function lineByLine(bytes: Uint8Array): { text: string; encoding: 'windows-1252' | 'macintosh' } {
  const lines: Uint8Array[] = [];
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(0x0a, start);
    const next = end < 0 ? bytes.length : end + 1;
    lines.push(bytes.subarray(start, next));
    start = next;
  }
  const utf8 = lines.map((line) => line.some((b) => b >= 0x80) && isUtf8(line));
  const { encoding } = singleByte(Buffer.concat(lines.filter((_, i) => !utf8[i])));
  const utf8Decoder = new TextDecoder('utf-8');
  const text = lines
    .map((line, i) => (utf8[i] ? utf8Decoder.decode(line) : iconv.decode(Buffer.from(line), encoding)))
    .join('');
  return { text, encoding };
}

/**
 * Windows-1252, or Mac Roman for a Mac's "CSV", whose letters Windows-1252 reads as symbols
 * ("UniversitŽ"): the reading whose words hold fewer such misfits is the file's (a tie stays
 * Windows-1252).
 */
function singleByte(bytes: Uint8Array): { text: string; encoding: 'windows-1252' | 'macintosh' } {
  const text = windows1252(bytes);
  const mac = iconv.decode(Buffer.from(bytes), 'macintosh');
  return misfits(mac) < misfits(text)
    ? { text: mac, encoding: 'macintosh' }
    : { text, encoding: 'windows-1252' };
}

/**
 * How many times a lower-case letter is followed by a character outside ASCII that is no lower-case
 * letter (an upper-case one or a symbol), at a word's end or before another lower-case letter: what
 * text decoded with the wrong single-byte table looks like ("UniversitŽ", "Zo‘", "JosÈ"). The
 * typographic apostrophe (don’t) is a word's own.
 */
function misfits(text: string): number {
  const symbols = text.match(/\p{Ll}(?!\u2019)[^\p{ASCII}\p{Ll}](?=\p{Ll}|[\s,.;:!?)"']|$)/gmu) ?? [];
  return symbols.length + (text.match(MAC_AS_WINDOWS) ?? []).length;
}

/**
 * Inside a word, what Windows-1252 makes of Mac Roman's ö, û, ’ and ü (a trial's "Schršder", "Pat
 * OÕNeil"): letters, so the rule above lets them pass. Real names hold š and ž rarely in Windows-1252,
 * which has no č or ř to write the rest of a Czech name with.
 */
const MAC_AS_WINDOWS = /(?<=\p{L})[šžÕŸ](?=\p{L})/gu;

// Node 20's TextDecoder('windows-1252') reads 0x80–0x9F as Latin-1's control characters (a curly quote
// or an en dash from Excel would be lost): iconv-lite's table is Windows-1252's own.
function windows1252(bytes: Uint8Array): string {
  return iconv.decode(Buffer.from(bytes), 'windows-1252');
}

function detectEncoding(bytes: Uint8Array): TextEncoding {
  const [a, b] = bytes;
  if (hasUtf8Bom(bytes)) return 'utf-8';
  if (a === 0xff && b === 0xfe) return 'utf-16le';
  if (a === 0xfe && b === 0xff) return 'utf-16be';
  // UTF-16 without a BOM: text in Latin letters has a zero byte in every other place.
  const sample = bytes.subarray(0, 512);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] !== 0) continue;
    if (i % 2) odd++;
    else even++;
  }
  const pairs = Math.floor(sample.length / 2);
  if (pairs >= 2 && odd >= pairs * 0.4 && even === 0) return 'utf-16le';
  if (pairs >= 2 && even >= pairs * 0.4 && odd === 0) return 'utf-16be';
  return isUtf8(bytes) ? 'utf-8' : 'windows-1252';
}

const hasUtf8Bom = (bytes: Uint8Array) => bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Whether the bytes are a spreadsheet workbook, by its container's signature: which kind, or null. */
function workbookKind(bytes: Uint8Array): string | null {
  const starts = (...signature: number[]) => signature.every((b, i) => bytes[i] === b);
  // .xlsx and .ods are ZIP archives; .xls (Excel 97–2003) an OLE2 compound file.
  if (starts(0x50, 0x4b, 0x03, 0x04)) return '.xlsx or .ods';
  if (starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return '.xls';
  return null;
}
