/**
 * The shape every dura process's pino lines share (the worker's, worker/logging.ts; `dura web`'s,
 * web/logging.ts): level names rather than pino's numbers, ISO times, pid, host and the process's
 * `name`, so one pipeline and one grep read them all.
 */
import * as os from 'node:os';
import pino, { type LoggerOptions } from 'pino';

/** pino options for a process named `name` (e.g. 'dura-worker'); add level, serializers, stream. */
export function logLineOptions(name: string): LoggerOptions {
  return {
    base: { pid: process.pid, hostname: os.hostname(), name },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names, not numbers: what log pipelines and people grep for.
    formatters: { level: (label) => ({ level: label }) },
  };
}
