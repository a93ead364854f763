/**
 * HPACK (RFC 7541), the header compression of HTTP/2, as much as grpc-lite.ts needs: request headers
 * encoded as plain literals (never indexed, never Huffman-coded), and a full decoder for the server's
 * response headers and trailers (static and dynamic tables, Huffman-coded strings).
 */

/** Appendix A: the static table, entries 1 to 61 (`name` or `name=value`). */
const STATIC: [string, string][] = (
  ':authority|:method=GET|:method=POST|:path=/|:path=/index.html|:scheme=http|:scheme=https|' +
  ':status=200|:status=204|:status=206|:status=304|:status=400|:status=404|:status=500|accept-charset|' +
  'accept-encoding=gzip, deflate|accept-language|accept-ranges|accept|access-control-allow-origin|age|' +
  'allow|authorization|cache-control|content-disposition|content-encoding|content-language|' +
  'content-length|content-location|content-range|content-type|cookie|date|etag|expect|expires|from|' +
  'host|if-match|if-modified-since|if-none-match|if-range|if-unmodified-since|last-modified|link|' +
  'location|max-forwards|proxy-authenticate|proxy-authorization|range|referer|refresh|retry-after|' +
  'server|set-cookie|strict-transport-security|transfer-encoding|user-agent|vary|via|www-authenticate'
)
  .split('|')
  .map((entry) => [entry.split('=')[0]!, entry.split('=')[1] ?? '']);

/** Appendix B: the bit length of each byte's Huffman code; the code is canonical, so lengths suffice. */
// prettier-ignore
const HUFFMAN_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28,
  28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15,
  6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22, 20,
  20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23,
  24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22,
  22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27,
  24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26,
  26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
];

export type HeaderList = [string, string][];

/** A header block of plain literals without indexing (RFC 7541 6.2.2), names given in full. */
export function encodeHeaders(headers: HeaderList): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of headers) parts.push(Buffer.from([0]), literal(name), literal(value));
  return Buffer.concat(parts);
}

function literal(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([integer(bytes.length, 7, 0), bytes]);
}

function integer(n: number, prefixBits: number, high: number): Buffer {
  const max = (1 << prefixBits) - 1;
  if (n < max) return Buffer.from([high | n]);
  const out = [high | max];
  for (n -= max; n >= 128; n = Math.floor(n / 128)) out.push((n % 128) + 128);
  out.push(n);
  return Buffer.from(out);
}

/** One connection's decoder: its dynamic table lives across the header blocks it decodes, in order. */
export class HpackDecoder {
  private dynamic: HeaderList = [];
  private size = 0;

  /** `maxSize`: the SETTINGS_HEADER_TABLE_SIZE the connection advertised (HTTP/2's default 4096). */
  constructor(private maxSize = 4096) {}

  decode(block: Buffer): HeaderList {
    const out: HeaderList = [];
    let at = 0;
    const int = (prefixBits: number): number => {
      const max = (1 << prefixBits) - 1;
      let n = block[at++]! & max;
      if (n < max) return n;
      for (let shift = 0; ; shift += 7) {
        if (at >= block.length || shift > 28) throw new Error('bad HPACK integer');
        const b = block[at++]!;
        n += (b & 127) * 2 ** shift;
        if (b < 128) return n;
      }
    };
    const str = (): string => {
      const huffman = (block[at]! & 128) !== 0;
      const length = int(7);
      if (at + length > block.length) throw new Error('truncated HPACK string');
      const bytes = block.subarray(at, (at += length));
      return huffman ? huffmanDecode(bytes) : bytes.toString('latin1');
    };
    while (at < block.length) {
      const b = block[at]!;
      if (b & 128) out.push(this.entry(int(7)));
      else if (b & 64) {
        const index = int(6);
        const field: [string, string] = [index ? this.entry(index)[0] : str(), str()];
        this.add(field);
        out.push(field);
      } else if (b & 32) this.resize(int(5));
      else {
        const index = int(4); // without indexing (0000) or never indexed (0001)
        out.push([index ? this.entry(index)[0] : str(), str()]);
      }
    }
    return out;
  }

  private entry(index: number): [string, string] {
    const field = index <= STATIC.length ? STATIC[index - 1] : this.dynamic[index - STATIC.length - 1];
    if (!field || index === 0) throw new Error(`bad HPACK index ${index}`);
    return field;
  }

  private add(field: [string, string]): void {
    this.dynamic.unshift(field);
    this.size += fieldSize(field);
    this.resize(this.maxSize);
  }

  private resize(maxSize: number): void {
    this.maxSize = maxSize;
    while (this.size > maxSize) this.size -= fieldSize(this.dynamic.pop()!);
  }
}

function fieldSize([name, value]: [string, string]): number {
  return Buffer.byteLength(name) + Buffer.byteLength(value) + 32;
}

// Canonical code: per length, the first code and the symbols in order.
const byLength = new Map<number, { first: number; symbols: number[] }>();
{
  let code = 0;
  let previous = 0;
  const order = HUFFMAN_LENGTHS.map((length, symbol) => ({ length, symbol })).sort(
    (a, b) => a.length - b.length || a.symbol - b.symbol,
  );
  for (const { length, symbol } of order) {
    code = previous ? (code + 1) * 2 ** (length - previous) : 0;
    previous = length;
    if (!byLength.has(length)) byLength.set(length, { first: code, symbols: [] });
    byLength.get(length)!.symbols.push(symbol);
  }
}

function huffmanDecode(bytes: Buffer): string {
  const out: number[] = [];
  let code = 0;
  let length = 0;
  for (const byte of bytes)
    for (let bit = 7; bit >= 0; bit--) {
      code = code * 2 + ((byte >> bit) & 1);
      const row = byLength.get(++length);
      if (row && code - row.first < row.symbols.length && code >= row.first) {
        out.push(row.symbols[code - row.first]!);
        code = 0;
        length = 0;
      } else if (length > 30) throw new Error('bad Huffman code');
    }
  // What is left is padding: the most significant bits of EOS (all ones), fewer than 8.
  if (length > 7 || code !== 2 ** length - 1) throw new Error('bad Huffman padding');
  return Buffer.from(out).toString('latin1');
}
