/**
 * Temporal's runtime for the worker process. Installed once, before any connection or worker exists,
 * so that the SDK's and Core's logs go through pino and, when asked, Core serves Prometheus metrics.
 */
import { Runtime } from '@temporalio/worker';
import type { Config } from '../common/config';
import { coreLogFilter, TemporalLogger, type Pino } from './logging';

// The SDK's default also has SIGQUIT and SIGUSR2; a process manager stops us with these two.
const SHUTDOWN_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export function installRuntime(config: Config, log: Pino): Runtime {
  const address = config.DURA_METRICS_ADDRESS;
  return Runtime.install({
    logger: new TemporalLogger(log),
    shutdownSignals: SHUTDOWN_SIGNALS,
    telemetryOptions: {
      logging: { forward: {}, filter: coreLogFilter(config.DURA_LOG_LEVEL) },
      ...(address && { metrics: { prometheus: { bindAddress: address } } }),
    },
  });
}

export function metricsUrl(config: Config): string | undefined {
  return config.DURA_METRICS_ADDRESS && `http://${config.DURA_METRICS_ADDRESS}/metrics`;
}

/**
 * On the first signal the runtime asks the worker to stop (it then drains for up to the grace time)
 * and removes its own listeners. Ours stay, so a second signal is logged instead of killing the
 * process by Node's default action with activities and the database half-closed.
 */
export function watchShutdownSignals(log: Pino, graceSeconds: number): { received: number } {
  const signals = { received: 0 };
  for (const signal of SHUTDOWN_SIGNALS)
    process.on(signal, () => {
      if (signals.received++ === 0)
        log.info({ signal, graceSeconds }, 'stopping: finishing work in progress');
      // Info, not a warning: `npm start` and process managers send a second signal as a matter of course.
      else log.info({ signal }, 'already stopping; in-flight work still has its grace time');
    });
  return signals;
}
