/**
 * `dura web`'s log lines: pino JSON on stdout, as the worker's (worker/logging.ts) — level names rather
 * than pino's numbers, ISO times and a `name` — so one pipeline and one grep read both.
 */
import pino, { type LoggerOptions } from 'pino';

/** Fastify's `logger` option: pino options at `level` (e.g. 'warn'), writing to `stream` if given. */
export function webLoggerOptions(
  level: string,
  stream?: pino.DestinationStream,
): LoggerOptions & { stream?: pino.DestinationStream } {
  return {
    level,
    base: { pid: process.pid, name: 'dura-web' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    ...(stream ? { stream } : {}),
  };
}
