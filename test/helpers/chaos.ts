/**
 * The chaos loop of the worker fault test: start the worker, `kill -9` it at a random moment, start it
 * again, until at least `minKills` kills are done (and the loop is told to finish).
 *
 * Kills come in waves. Within a wave most land while the worker polls, 0.2–2 s after it said so
 * (tasks and e-mails in flight), one in ten while it starts (migrations, connection, workflow code).
 * While `calmWanted()` says so, every 8th worker is left alone for 15–25 s first: after a kill,
 * Temporal refuses updates to the agreements that worker held ("Workflow Task in failed state") until
 * their task times out (10 s) and a live worker completes it, so without such spells the access team's
 * updates would never get through, whereas timers, activities and retries go on regardless.
 * Seeded: a failing run is replayed with the seed it printed.
 */
import type { FastWorker } from './fast-worker-process';

export interface Kill {
  /** Date.now() just before SIGKILL. */
  at: number;
  pid: number;
  /** Whether it had logged `polling`. */
  polling: boolean;
  /** How long it had run. */
  upMs: number;
}

export interface Chaos {
  kills: Kill[];
  /** Workers that ended by themselves (an exit code, not our signal): each one is a bug. */
  selfExits: { pid: number; code: number | null }[];
  /** Ends the loop once `minKills` kills are done; no worker is left running. */
  finish(): Promise<void>;
  /** Ends it now (the test failed): the running worker is killed. */
  abort(): Promise<void>;
}

// The benchmarks' generator: the same sequence for the same seed.
export { seededRandom } from '../../bench/lib/fit';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `first`: a worker already running, which is the first one killed. */
export function chaosLoop(options: {
  start: () => FastWorker;
  random: () => number;
  minKills: number;
  calmWanted: () => boolean;
  /** A count that grows as the team's updates get through (it stretches a calm spell that saw none). */
  progress: () => number;
  first?: FastWorker;
}): Chaos {
  const { start, random, minKills, calmWanted, progress } = options;
  let first = options.first;
  const kills: Kill[] = [];
  const selfExits: Chaos['selfExits'] = [];
  let finishing = false;
  let aborted = false;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);

  const loop = (async () => {
    for (let cycle = 0; !aborted && (!finishing || kills.length < minKills); cycle++) {
      const worker = first ?? start();
      first = undefined;
      const started = Date.now();
      let polling = false;
      worker.polling.then(
        () => (polling = true),
        () => undefined, // killed while it started
      );
      const ended = worker.exited.then(() => 'ended' as const);
      if (cycle % 8 === 7 && calmWanted()) {
        await Promise.race([worker.polling.catch(() => undefined), ended]);
        const before = progress();
        await Promise.race([sleep(between(15_000, 25_000)), ended]);
        // On a busy machine the spell may pass with nothing done: it is stretched (up to a minute more)
        // until the team got something through, so that the test measures faults, not CPU starvation.
        for (let i = 0; i < 12 && progress() === before && calmWanted(); i++)
          await Promise.race([sleep(5000), ended]);
      } else if (random() < 0.1) {
        await Promise.race([sleep(between(100, 1500)), ended]);
      } else {
        await Promise.race([worker.polling.catch(() => undefined), ended]);
        await Promise.race([sleep(between(200, 2000)), ended]);
      }
      if (aborted) return worker.kill9();
      const at = Date.now();
      const alive = (await Promise.race([ended, sleep(0).then(() => 'alive' as const)])) === 'alive';
      if (!alive) {
        selfExits.push({ pid: worker.pid, code: (await worker.exited).code });
        if (selfExits.length >= 5) return; // a worker that cannot stay up: the test reports it
        continue;
      }
      await worker.kill9();
      kills.push({ at, pid: worker.pid, polling, upMs: at - started });
    }
  })();

  return {
    kills,
    selfExits,
    async finish() {
      finishing = true;
      await loop;
    },
    async abort() {
      aborted = true;
      await loop;
    },
  };
}
