/**
 * How small an agreement's history could get by its payloads alone (issue 12, item 6): the size the
 * server stores (the protobuf History message) of committed histories, as they are, with every payload
 * emptied (the floor: events and metadata only), with no payloads at all, and with each payload
 * compressed by zlib (node:zlib deflateRaw), plain and with a preset dictionary taken from another
 * history's payloads (what a compressing PayloadCodec could do at best). No server: the committed
 * histories are read from test/histories. `npm run bench:history-floor [-- --dictionary <history>]`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { compressed } from '../common/compression';
import { stringFlag } from './lib/process';
import { printTable } from './lib/report';

type History = temporal.api.history.v1.IHistory;
interface Payload {
  metadata?: Record<string, Uint8Array> | null;
  data?: Uint8Array | null;
}

const HISTORIES = path.join(__dirname, '..', 'test', 'histories');
const MEASURED = ['happy-path', 'two-officials', 'six-reminders-escalated', 'amendment'];
const DICTIONARY = stringFlag('--dictionary') ?? 'second-requester-joins';

const read = (name: string): History =>
  historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, `${name}.json`), 'utf8')));

/** Every payload of a history (any depth), to change in place. */
function payloadsOf(value: unknown, found: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object') return found;
  const p = value as Payload;
  if (p.data instanceof Uint8Array && p.metadata) found.push(p);
  else for (const v of Object.values(value)) payloadsOf(v, found);
  return found;
}

/** The stored size of `name`'s history after `change` runs on each payload. */
function storedBytes(name: string, change: (p: Payload) => void = () => undefined): number {
  const history = read(name);
  payloadsOf(history.events).forEach(change);
  return temporal.api.history.v1.History.encode(history).finish().length;
}

const compressedWith = (dictionary?: Buffer) => (p: Payload) => {
  const z = deflateRawSync(p.data!, { level: 9, ...(dictionary ? { dictionary } : {}) });
  if (z.length < p.data!.length) {
    p.data = z;
    p.metadata = { encoding: Buffer.from('binary/zlib') };
  }
};

const dictionary = Buffer.concat(
  payloadsOf(read(DICTIONARY).events).map((p) => Buffer.from(p.data!)),
).subarray(-32_768);
const rows = MEASURED.map((name) => {
  const asIs = storedBytes(name);
  const none = storedBytes(name, (p) => {
    p.data = new Uint8Array(0);
    p.metadata = {};
  });
  const ratio = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB (${(bytes / none).toFixed(2)}×)`;
  return [
    name,
    String(read(name).events?.length ?? 0),
    ratio(asIs),
    ratio(storedBytes(name, (p) => (p.data = new Uint8Array(0)))),
    ratio(none),
    ratio(storedBytes(name, compressedWith())),
    ratio(storedBytes(name, compressedWith(dictionary))),
    ratio(storedBytes(name, (p) => Object.assign(p, compressed(p)))),
  ];
});
printTable(
  [
    'history',
    'events',
    'as stored',
    'payloads emptied',
    'no payloads',
    'zlib',
    'zlib, dictionary',
    'DURA_PAYLOAD_COMPRESSION=on',
  ],
  rows,
);
console.log(
  `(× against no payloads at all; "zlib, dictionary": the last 32 kB of ${DICTIONARY}.json's payloads; ` +
    'the last column: common/compression.ts, its 16 kB dictionary from other histories)',
);
