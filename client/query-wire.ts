/**
 * Temporal's QueryWorkflow request and response in protobuf's wire format, by hand: the lean status
 * path sends one message and reads one, so it skips the SDK's generated tables (~0.3 s to load).
 * Field numbers from temporal/api/workflowservice/v1/request_response.proto and the messages it uses;
 * a test holds both directions to @temporalio/proto's own encoder and decoder.
 */

const LEN = 2; // wire type of strings, bytes and nested messages

/** QueryWorkflowRequest{namespace=1, execution=2{workflow_id=1}, query=3{query_type=1}}. */
export function encodeQueryWorkflowRequest(namespace: string, workflowId: string, queryType: string): Buffer {
  return Buffer.concat([
    field(1, Buffer.from(namespace)),
    field(2, field(1, Buffer.from(workflowId))),
    field(3, field(1, Buffer.from(queryType))),
  ]);
}

export interface Payload {
  metadata: Record<string, Buffer>;
  data: Buffer;
}

export interface QueryWorkflowAnswer {
  /** query_result=1 (Payloads{payloads=1}). */
  payloads: Payload[];
  /** query_rejected=2 is present (only with a reject condition, which dura does not set). */
  rejected: boolean;
}

export function decodeQueryWorkflowResponse(bytes: Uint8Array): QueryWorkflowAnswer {
  const answer: QueryWorkflowAnswer = { payloads: [], rejected: false };
  for (const [no, value] of fields(bytes)) {
    if (no === 1) for (const [n, p] of fields(value)) if (n === 1) answer.payloads.push(payload(p));
    if (no === 2) answer.rejected = true;
  }
  return answer;
}

/** Payload{metadata=1 map<string,bytes> (entries {key=1, value=2}), data=2}. */
function payload(bytes: Buffer): Payload {
  const result: Payload = { metadata: {}, data: Buffer.alloc(0) };
  for (const [no, value] of fields(bytes)) {
    if (no === 2) result.data = value;
    if (no !== 1) continue;
    const entry = new Map(fields(value));
    result.metadata[(entry.get(1) ?? Buffer.alloc(0)).toString('utf8')] = entry.get(2) ?? Buffer.alloc(0);
  }
  return result;
}

/** A length-delimited field: tag, length, bytes. */
function field(no: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint((no << 3) | LEN), varint(bytes.length), bytes]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** The length-delimited fields of a message as [number, bytes]; other wire types are skipped. */
function fields(message: Uint8Array): [number, Buffer][] {
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const out: [number, Buffer][] = [];
  let at = 0;
  const read = (): number => {
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length || shift > 49) throw new Error('truncated protobuf message');
      const b = bytes[at++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
    }
  };
  while (at < bytes.length) {
    const tag = read();
    const type = tag % 8;
    if (type === 0) read();
    else if (type === 1) at += 8;
    else if (type === 5) at += 4;
    else if (type === LEN) {
      const length = read();
      if (at + length > bytes.length) throw new Error('truncated protobuf message');
      out.push([Math.floor(tag / 8), bytes.subarray(at, at + length)]);
      at += length;
    } else throw new Error(`unsupported protobuf wire type ${type}`);
  }
  if (at > bytes.length) throw new Error('truncated protobuf message');
  return out;
}
