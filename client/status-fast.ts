/**
 * The lean path for `dura status <agreement> [--json]`, the access team's most frequent question: one
 * QueryWorkflow call over node:http2 (grpc-unary.ts), its messages in protobufjs code generated from the
 * Temporal API's .proto files (generated/, scripts/gen-status-protos.ts), without commander, zod or the
 * Temporal SDK, which cost a cold `dura status` ~0.5 s of loading. It answers exactly as the full CLI
 * does (same output, same exit codes and messages) and hands back (resolves false) whenever it cannot:
 * other arguments, unusual configuration (lean-config.ts), or any answer it does not expect.
 * `DURA_LEAN_STATUS=off` always takes the full path (the benchmark and the tests compare the two);
 * `DURA_LEAN_STATUS=debug` says on stderr why the lean path handed over.
 */
import { agreementTarget } from '../common/agreement-target';
// Types only from agreement-handle.ts: it loads the Temporal SDK.
import type { StatusAnswer } from './agreement-handle';
import type * as Protos from './generated/status-protos-types';
import type { StatusWithRegistrations } from './registration-views';
import type { GrpcTarget } from './grpc-unary';
import { LEAN_SWITCH, leanTarget, type LeanTarget } from './lean-config';
import { emit, fail, UnreachableError, UserError } from './output';
import { QUERY_WAIT_MS, recordsNotice, statusWhenTemporalDown } from './status';

const QUERY_WORKFLOW = '/temporal.api.workflowservice.v1.WorkflowService/QueryWorkflow';
/** As client/temporal.ts's connectTimeout. */
const CONNECT_WAIT_MS = 3000;
const EPOCH = new Date(0).toISOString();

/** `status <agreement>`, `--json` before or after it, and nothing else (no other flag, no help). */
export function leanStatusArgs(args: string[]): { agreement: string; json: boolean } | undefined {
  if (args[0] !== 'status' || args.length < 2 || args.length > 3) return undefined;
  const rest = args.slice(1);
  const positional = rest.filter((a) => a !== '--json');
  if (positional.length !== 1 || positional[0]!.startsWith('-')) return undefined;
  return { agreement: positional[0]!, json: rest.length === 2 };
}

let tried = false;

/**
 * Answers `dura status` on the lean path if it can; false hands over to the full CLI. Tried once per
 * process: bin/dura.js tries it before it loads client/main.ts, which then hands straight back.
 */
export async function statusFast(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (tried) return false;
  tried = true;
  const wanted = env[LEAN_SWITCH] === 'off' ? undefined : leanStatusArgs(args);
  if (!wanted) return false;
  const handOver = (why: string) => {
    if (env[LEAN_SWITCH] === 'debug') process.stderr.write(`dura: lean status hands over: ${why}\n`);
    return false;
  };
  const target = leanTarget(env);
  if (!target) return handOver('configuration it does not read');
  let answer: StatusAnswer;
  try {
    // While the server and a worker answer, the text view gets ready: its first use of Intl loads
    // ICU's time zones (~20 ms), which would otherwise come after the answer.
    const ready = wanted.json ? undefined : () => void import('./format').then((f) => f.when(EPOCH));
    answer = await ask(target, wanted.agreement, ready);
  } catch (err) {
    if (err instanceof UserError || err instanceof UnreachableError) fail(err);
    return handOver((err as Error).message); // an answer the full CLI knows how to word
  }
  const notice = recordsNotice(answer);
  if (notice) process.stderr.write(notice);
  let status: StatusWithRegistrations = answer.status;
  // Mail that is slow to go: the ledger's attempts and last error (status-mail.ts, kysely only); from
  // the records alone, what the ledger still has on its way.
  if (status.sending?.length || answer.source === 'records') {
    const [{ withMail }, { databaseUrlOf }] = await Promise.all([
      import('./status-mail'),
      import('./status-registrations'),
    ]);
    status = await withMail(answer, databaseUrlOf(env));
  }
  // Each requester's registration steps once the instructions went out: kysely only (status-registrations.ts).
  if (status.instructionsSentAt) {
    const { withRegistrations, databaseUrlOf } = await import('./status-registrations');
    status = await withRegistrations(status, databaseUrlOf(env));
  }
  if (wanted.json) emit(wanted, status, () => '');
  else {
    const { statusWithRegistrationsView } = await import('./registration-views');
    emit(wanted, status, () => statusWithRegistrationsView(status));
  }
  // Answered: exit once stdout is flushed, sparing the wait for Node's own teardown (~5 ms).
  process.stdout.write('', () => process.exit(0));
  return true;
}

/**
 * The agreement's status from its workflow, or from the records when no worker answers in time or
 * Temporal cannot be reached at all.
 */
async function ask(target: LeanTarget, typed: string, sent?: () => void): Promise<StatusAnswer> {
  const { workflowId: agreementId, agreementId: named } = agreementTarget(typed);
  // Loaded only now: every other command passes through this module first (bin/dura.js).
  const grpc = await import('./grpc-unary');
  const generated = (await import('./generated/status-protos')) as unknown as typeof Protos;
  const { QueryWorkflowRequest, QueryWorkflowResponse } = generated.temporal.api.workflowservice.v1;
  let reply: Buffer;
  try {
    const request = QueryWorkflowRequest.encode({
      namespace: target.namespace,
      execution: { workflowId: agreementId },
      query: { queryType: 'status' },
    }).finish();
    reply = await grpc.unary(grpcTarget(target), QUERY_WORKFLOW, request, {
      connectMs: CONNECT_WAIT_MS,
      deadlineMs: QUERY_WAIT_MS,
      sent,
    });
  } catch (err) {
    if (err instanceof grpc.NoConnectionError)
      return fromRecords(typed, new UnreachableError(`Temporal at ${target.address}: ${err.message}`));
    // An unknown namespace is also NOT_FOUND: the full CLI words that one.
    // Not held there: the full path also tries the registry's institution and the records.
    if (err instanceof grpc.GrpcError && err.code === grpc.NOT_FOUND && !/namespace/i.test(err.details))
      throw new Error(`${agreementId} not found`, { cause: err });
    if (err instanceof grpc.GrpcError && err.code === grpc.DEADLINE_EXCEEDED) return fromRecords(typed, err);
    throw err;
  }
  const decoded = QueryWorkflowResponse.decode(reply);
  const received = decoded.queryResult?.payloads ?? [];
  // Stored elsewhere (external payload storage): the SDK's job.
  if (received.some((p) => p.externalPayloads?.length))
    throw new Error('an answer it does not read (external payloads)');
  const plain = received.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, buffer(v)])),
    data: buffer(p.data ?? new Uint8Array()),
  }));
  const payloads = await decompress(target.encryption ? await decrypt(target.encryption, plain) : plain);
  const rejected = decoded.queryRejected != null;
  const encoding = payloads[0]?.metadata.encoding?.toString();
  // The SDK's default converter wrote it; anything else (a codec, another encoding) is the SDK's job.
  if (rejected || payloads.length !== 1 || encoding !== 'json/plain')
    throw new Error(`an answer it does not read (${payloads.length} payloads, encoding ${encoding})`);
  const status = JSON.parse(payloads[0]!.data.toString('utf8')) as StatusAnswer['status'];
  // An earlier agreement of the institution: the full path reads its final snapshot from the records.
  if (named && status.agreementId !== named) throw new Error(`${named} is not the institution's latest`);
  // Its term may have ended it since (renewed, lapsed), written to the records: the full path reads them.
  if (status.stage === 'completed' && status.expiresOn)
    throw new Error('a completed agreement with a term: its records may say more');
  return { status, source: 'workflow' };
}

/** As the SDK's connection: TLS and API key as configured, and the namespace as a header (routing). */
function grpcTarget({ address, namespace, tls, apiKey }: LeanTarget): GrpcTarget {
  const metadata: Record<string, string> = { 'temporal-namespace': namespace };
  if (apiKey) metadata.authorization = `Bearer ${apiKey}`;
  return { address, metadata, ...(tls && { tls }) };
}

function buffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

type Payload = { metadata: Record<string, Buffer>; data: Buffer };

/** As the full CLI's data converter does (common/compression.ts), loaded only for a compressed answer. */
async function decompress(payloads: Payload[]): Promise<Payload[]> {
  // COMPRESSED_ENCODING, named here so that an answer not compressed loads nothing more.
  const compressed = (p: Payload) => p.metadata.encoding?.toString() === 'binary/zlib-d1';
  if (!payloads.some(compressed)) return payloads;
  const { decompressed } = await import('../common/compression');
  return payloads.map((p) => {
    const plain = decompressed(p);
    return { metadata: plain.metadata as Record<string, Buffer>, data: Buffer.from(plain.data ?? []) };
  });
}

/** As the full CLI's data converter does: a wrong key is a user error naming the key id. */
async function decrypt(keys: NonNullable<LeanTarget['encryption']>, payloads: Payload[]): Promise<Payload[]> {
  const { encryptionCodec } = await import('../common/codec');
  const codec = encryptionCodec({
    DURA_ENCRYPTION_KEY: keys.key,
    DURA_ENCRYPTION_KEY_ID: keys.keyId,
    DURA_ENCRYPTION_OLD_KEYS: keys.oldKeys,
  })!;
  try {
    return payloads.map((p) => {
      const plain = codec.decrypt(p);
      return { metadata: plain.metadata as Record<string, Buffer>, data: Buffer.from(plain.data ?? []) };
    });
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

/**
 * As the full path: the whole configuration (zod, loaded only now), then the records database. `why`
 * is an UnreachableError when Temporal itself is down (status.ts), else the query's error.
 */
async function fromRecords(typed: string, why: Error): Promise<StatusAnswer> {
  try {
    const { loadConfig } = await import('../common/config');
    const config = loadConfig();
    if (why instanceof UnreachableError) return await statusWhenTemporalDown(config, typed, why);
    const { statusFromRecords } = await import('./agreement-handle');
    return await statusFromRecords(config, typed, why);
  } catch (err) {
    fail(err);
  }
}
