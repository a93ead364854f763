/**
 * The worker's logs: pino JSON lines on stdout, and an adapter that lets Temporal's runtime (the SDK's
 * own logs, Core's forwarded logs, workflow and activity context loggers) write through the same pino.
 *
 * Logs carry ids and kinds, never people: only scalar metadata passes (payloads, activations and other
 * objects are dropped), errors are reduced to type, message and stack, and e-mail addresses and
 * encoded payloads are masked in every string that does pass. The workflow id that holds an agreement
 * (`dura-<institution>`, `dura-individual-<hash>`; for agreements before patch `agreement-ids` also
 * their agreement id) is added to each line as `agreementId`, for grouping; it names no person.
 */
import pino, { type Level, type LevelWithSilent, type Logger as Pino } from 'pino';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { logLineOptions } from '../common/log-lines';

export type { Pino };

export function createLogger(level: LevelWithSilent): Pino {
  return pino({
    ...logLineOptions('dura-worker'),
    level,
    // pino's own `err` serializer copies every property of an error (failure details, payloads).
    serializers: { err: (err: unknown) => describeError(err) },
  });
}

// Anything shaped like an address, valid or not: a refused one (`ada@uw..edu`) names a person too.
const EMAIL = /[^\s"'`<>()[\]@,;:\\]+@[^\s"'`<>()[\]@,;:\\]+/g;

// Core's debug logs print payloads as `[<base64>]`, or `[<first 32 bytes>..<last 32 bytes>]` when
// longer: a request's JSON, with names and addresses that the e-mail mask cannot see in base64.
const PAYLOAD = /\[([A-Za-z0-9+/]+={0,2})(\.\.[A-Za-z0-9+/]+={0,2})?\]/g;
const isJsonPayload = (base64: string) => /^["{[]/.test(Buffer.from(base64, 'base64').toString('latin1'));

/** Masks e-mail addresses (an SMTP reply or a validation message may quote one) and payloads. */
export function scrub(text: string): string {
  return text
    .replace(PAYLOAD, (whole, head: string, tail?: string) =>
      tail !== undefined || isJsonPayload(head) ? '[payload]' : whole,
    )
    .replace(EMAIL, '<email>');
}

const PINO_LEVELS: Record<LogLevel, Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

// Keys pino writes itself: metadata must not write them a second time.
const RESERVED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/** Temporal's `Logger` on top of pino. */
export class TemporalLogger implements Logger {
  constructor(private readonly pino: Pino) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const to = PINO_LEVELS[level] ?? 'info';
    if (!this.pino.isLevelEnabled(to)) return;
    this.pino[to](safeMeta(meta), scrub(message));
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** Scalars (masked) and errors (reduced); everything else, symbols included, is left out. */
export function safeMeta(meta: LogMetadata | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    if (RESERVED.has(key)) continue;
    if (key === 'error' || key === 'err') out.error = describeError(value);
    else if (value instanceof Error) out[key] = describeError(value);
    else if (typeof value === 'string') out[key] = scrub(value);
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (typeof value === 'bigint') out[key] = String(value);
  }
  // Activity and workflow logs name the workflow; ours are agreements, and say so in one field.
  const workflowId = out.workflowId;
  if (out.agreementId === undefined && typeof workflowId === 'string' && workflowId.startsWith('dura-'))
    out.agreementId = workflowId;
  return out;
}

interface ErrorSummary {
  type: string;
  message: string;
  failureType?: string;
  nonRetryable?: boolean;
  stack?: string;
  cause?: ErrorSummary;
}

/**
 * An error as type, message and stack (masked), following `cause` a few levels (an ActivityFailure's
 * message is generic; its cause says what went wrong). Failure details and payloads are left out.
 * Workflow errors may arrive through the sinks as plain objects, so this reads properties, not classes.
 */
export function describeError(value: unknown, depth = 0): ErrorSummary | string {
  if (typeof value !== 'object' || value === null) return scrub(String(value));
  const e = value as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? scrub(v) : undefined);
  const summary: ErrorSummary = {
    type: text(e.name) ?? 'Error',
    message: text(e.message) ?? '',
  };
  if (typeof e.type === 'string') summary.failureType = scrub(e.type);
  if (typeof e.nonRetryable === 'boolean') summary.nonRetryable = e.nonRetryable;
  if (typeof e.stack === 'string') summary.stack = scrub(e.stack);
  if (e.cause !== undefined && e.cause !== null && depth < 3) {
    const cause = describeError(e.cause, depth + 1);
    if (typeof cause === 'object') summary.cause = cause;
  }
  return summary;
}

const CORE_LEVELS: Record<LevelWithSilent, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/** What Core forwards: as verbose as the worker's level; third-party crates only from WARN up. */
export function coreLogFilter(level: LevelWithSilent): { core: LogLevel; other: LogLevel } {
  const core = CORE_LEVELS[level];
  return { core, other: core === 'ERROR' ? 'ERROR' : 'WARN' };
}
