/**
 * `dura web`'s log lines: pino JSON on stdout in the shape the worker's have (common/log-lines.ts).
 */
import type pino from 'pino';
import type { LoggerOptions } from 'pino';
import { logLineOptions } from '../common/log-lines';

/** Fastify's `logger` option: pino options at `level` (e.g. 'warn'), writing to `stream` if given. */
export function webLoggerOptions(
  level: string,
  stream?: pino.DestinationStream,
): LoggerOptions & { stream?: pino.DestinationStream } {
  return { ...logLineOptions('dura-web'), level, ...(stream ? { stream } : {}) };
}
