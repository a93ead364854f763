/**
 * Makes common/payload-dictionary.ts: the preset dictionary of dura's payload compression
 * (common/compression.ts), from committed histories that the benchmarks do not measure. One payload of
 * each kind (the event and activity that carry it), the rarer kinds first, since deflate reaches the
 * dictionary's end more cheaply; the last DICTIONARY_BYTES bytes are kept.
 * `npx tsx bench/payload-dictionary.ts > common/payload-dictionary.ts && npx prettier --write common/payload-dictionary.ts`
 * writes the module. A dictionary is never changed once payloads
 * were written with it: a new one gets a new encoding (`binary/zlib-d2`), and the old one stays to decode.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const SOURCES = ['second-requester-joins', 'registration-completed', 'pause-resume'];
const DICTIONARY_BYTES = 16384;
/** A piece's most: a calendar table of fifty years' holidays would fill the dictionary alone. */
const PIECE_BYTES = 4000;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** [kind, data] of every json/plain payload of an event, the kind naming where it sits. */
function payloadsOf(value: unknown, kind: string, found: [string, string][]): void {
  if (!value || typeof value !== 'object') return;
  const p = value as JsonPayload;
  if (typeof p.data === 'string' && p.metadata) {
    if (Buffer.from(p.metadata.encoding ?? '', 'base64').toString() === 'json/plain')
      found.push([kind, Buffer.from(p.data, 'base64').toString('utf8')]);
    return;
  }
  for (const v of Object.values(value)) payloadsOf(v, kind, found);
}

const found: [string, string][] = [];
for (const name of SOURCES) {
  const file = path.join(__dirname, '..', 'test', 'histories', `${name}.json`);
  const { events } = JSON.parse(fs.readFileSync(file, 'utf8')) as { events: Record<string, unknown>[] };
  const activities = new Map<string, string>(); // scheduled event id → activity type
  for (const e of events) {
    const attributes = Object.entries(e).find(([k]) => k.endsWith('Attributes'));
    if (!attributes) continue;
    const a = attributes[1] as { activityType?: { name?: string }; scheduledEventId?: string };
    if (a.activityType?.name) activities.set(String(e.eventId), a.activityType.name);
    const activity = a.activityType?.name ?? activities.get(String(a.scheduledEventId)) ?? '';
    payloadsOf(a, `${attributes[0]}/${activity}`, found);
  }
}
const byKind = new Map<string, string[]>();
for (const [kind, data] of found) byKind.set(kind, [...(byKind.get(kind) ?? []), data]);
// Per kind, its longest payload (the most keys) and its median one (the usual shape); the most
// frequent kinds last.
const pieces = [...byKind.values()]
  .sort((a, b) => a.length - b.length)
  .flatMap((all) => {
    const sorted = [...all].sort((x, y) => x.length - y.length);
    return [...new Set([sorted[Math.floor(sorted.length / 2)]!, sorted.at(-1)!])];
  })
  .map((piece) => piece.slice(0, PIECE_BYTES));
const dictionary = Buffer.from(pieces.join('')).subarray(-DICTIONARY_BYTES).toString('utf8');
console.log(`/**
 * The preset dictionary of payload compression (common/compression.ts, encoding \`binary/zlib-d1\`): dura's
 * own JSON, one payload of each kind from committed histories, made by bench/payload-dictionary.ts.
 * Never change it: payloads written with it decode only with it.
 */
export const PAYLOAD_DICTIONARY_1 = ${JSON.stringify(dictionary.replace(/^[^{"]*/, ''))};`);
