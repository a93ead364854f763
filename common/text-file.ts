/**
 * The text of a file as spreadsheets save it: UTF-8 (with or without a byte-order mark), UTF-16 (Excel's
 * "Unicode text"; little- or big-endian, with a BOM or recognised by its zero bytes) or Windows-1252
 * (Excel's "CSV" on Windows: a file that is not valid UTF-8). The BOM is not part of the text.
 */

import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { fileProblem } from './file-problem';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

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
  const encoding = detectEncoding(bytes);
  // ignoreBOM: false (the default) drops a BOM of the encoding decoded.
  const text = encoding === 'windows-1252' ? windows1252(bytes) : new TextDecoder(encoding).decode(bytes);
  const lost = text.indexOf('\uFFFD');
  if (lost >= 0)
    throw new Error(
      `line ${text.slice(0, lost).split('\n').length}: a character that could not be read (shown as \uFFFD): ` +
        'the file is not UTF-8, UTF-16 or Windows-1252; save it as "CSV UTF-8" and try again',
    );
  return { text: text.replace(/^\uFEFF/, ''), encoding };
}

// Node 20's TextDecoder('windows-1252') reads 0x80–0x9F as Latin-1's control characters (a curly quote
// or an en dash from Excel would be lost): iconv-lite's table is Windows-1252's own.
function windows1252(bytes: Uint8Array): string {
  return iconv.decode(Buffer.from(bytes), 'windows-1252');
}

function detectEncoding(bytes: Uint8Array): TextEncoding {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return 'utf-8';
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
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}
