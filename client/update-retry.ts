/**
 * How the CLI rides out what is only "not now" while it sends an update (an access-team control, or the
 * join of `dura request`/`dura import`): no worker has taken the update yet (the workers are being
 * restarted, or all are down), or a worker died while it held the agreement and Temporal refuses updates
 * until another worker has completed the agreement's retried workflow task ("Workflow Task in failed
 * state", which the server answers at once and the SDK does not retry).
 *
 * Every try carries the same update id, so however many tries reach the server the update is applied
 * once (the server answers a known id with the first update's state or result). Each try has its own
 * deadline; the wait is bounded (UPDATE_PATIENCE_MS for a worker to take the update, and as long again
 * for it to finish once taken), and the caller is told once that it waits.
 * A rejection by the agreement, an unknown agreement or a server unreachable from the start is never
 * retried here; a server that stops answering during the wait is waited for (a restart) GONE_PATIENCE_MS.
 */
import { isGrpcServiceError, type Client, type Connection } from '@temporalio/client';
import { google, temporal } from '@temporalio/proto'; // loaded by @temporalio/client anyway
import { UnreachableError } from './output';

/** How long a command waits for a worker to take its update (and then to finish it) before it gives up. */
export const UPDATE_PATIENCE_MS = 120_000;
/** After this long without a worker taking the update, the caller hears that the command waits. */
export const NOTICE_AFTER_MS = 3_000;
/** One try's deadline: a try that runs out is made again with the same update id. */
const TRY_MS = 10_000;
const PAUSE_MS = 1_000;

// gRPC status codes (@grpc/grpc-js `status`).
const FAILED_PRECONDITION = 9;
export const UNAVAILABLE = 14;

/** Where an update stands, as far as this command knows: `accepted` once a worker took it. */
export interface UpdateProgress {
  accepted: boolean;
}

export interface Patience {
  /** Called when the command starts to wait, with why (a short phrase): once for a worker, once for Temporal. */
  onWait?: (reason: string, progress: UpdateProgress) => void;
  /** The bound on each wait, to be taken and then to be finished (default UPDATE_PATIENCE_MS). */
  patienceMs?: number;
  /**
   * Asked between tries once a worker has taken the update and not finished it: what holds it up beyond
   * dura's reach (mail that keeps failing), or undefined. An answer ends the wait (UpdateHeldUp).
   */
  heldUpBy?: () => Promise<string | undefined>;
}

/** A worker took the update and it waits on something outside dura (`why`); it finishes by itself later. */
export class UpdateHeldUp extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = 'UpdateHeldUp';
  }
}

/** The bound ran out: `reason` is the last "not now"; `accepted` whether a worker had taken the update. */
export class UpdateNotTaken extends Error {
  constructor(
    readonly reason: string,
    readonly accepted: boolean,
    readonly waitedMs: number,
  ) {
    super(
      accepted
        ? `no worker finished the update in ${seconds(waitedMs)} after it was taken`
        : `no worker took the update in ${seconds(waitedMs)}`,
    );
    this.name = 'UpdateNotTaken';
  }
}

/**
 * Temporal itself stopped answering while the command waited (a try ran out and the server did not
 * answer a plain call either): no worker is to blame, and waiting on would only repeat it (a trial's
 * import, its server killed, waited 2 min a row and blamed a missing worker). `accepted`: a worker had
 * taken the update before.
 */
export class TemporalGone extends UnreachableError {
  constructor(
    readonly address: string,
    readonly accepted: boolean,
  ) {
    super(`Temporal at ${address}: it stopped answering`);
    this.name = 'TemporalGone';
  }
}

/**
 * Whether `err` leaves an update unconfirmed, neither refused nor known lost: no worker took it in time
 * (UpdateNotTaken) or Temporal stopped answering (TemporalGone). It may still be applied later.
 */
export function unconfirmed(err: unknown): err is UpdateNotTaken | TemporalGone {
  return err instanceof UpdateNotTaken || err instanceof TemporalGone;
}

/** Whether the server answers a plain call within 3 s (the SDK retries "unavailable" until then). */
async function temporalAnswers(client: Client): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + 3_000, () => client.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}

/** The server's address as the client was connected (a Connection's options; not every ConnectionLike has them). */
const addressOf = (client: Client) =>
  (client.connection as Partial<Connection>).options?.address ?? 'its address';

const NO_WORKER = 'no worker has taken it yet';
const TEMPORAL_AWAY = 'Temporal is not answering';
/** How long a command waits for a Temporal that stopped answering to answer again (a restart). */
export const GONE_PATIENCE_MS = 20_000;
const ACCEPTED_UNFINISHED = 'a worker took it, and none has finished it yet';

/** Why `err` only means "not now", or undefined when it is an answer or a failure of another kind. */
export function transientReason(err: unknown): string | undefined {
  const e = err as Error & { cause?: unknown };
  // A try's deadline passed (or the server's long poll ended) before a worker took the update.
  if (e?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return NO_WORKER;
  const grpc = isGrpcServiceError(e) ? e : isGrpcServiceError(e?.cause) ? e.cause : undefined;
  if (!grpc) return undefined;
  // For update-with-start the SDK puts the failed operation's message in `message`, not `details`;
  // when the server refuses it whole, the reason is in the per-operation statuses.
  const text = `${grpc.details} ${grpc.message} ${operationReasons(grpc.metadata)}`;
  // WorkflowNotReady: "… due to Workflow Task in failed state" or "… unexpected workflow task failure".
  if (grpc.code === FAILED_PRECONDITION && /workflow task|WorkflowNotReady/i.test(text))
    return 'a worker stopped while it held the agreement; Temporal is retrying its workflow task';
  // The server dropped updates it had admitted (its cache of the workflow was cleared): send it again.
  if (grpc.code === UNAVAILABLE && /update was aborted/i.test(text)) return 'the server let go of the update';
  return undefined;
}

/**
 * The messages and detail types of each operation of an update-with-start the server refused whole
 * ("Update-with-Start could not be executed.", with a MultiOperationExecutionFailure in the status
 * details), e.g. "Workflow Task in failed state WorkflowNotReadyFailure"; '' for any other error.
 */
function operationReasons(metadata: { get(key: string): unknown[] } | undefined): string {
  const bin = metadata?.get('grpc-status-details-bin')?.[0];
  if (!Buffer.isBuffer(bin)) return '';
  try {
    const Failure = temporal.api.errordetails.v1.MultiOperationExecutionFailure;
    return google.rpc.Status.decode(bin)
      .details.filter((d) => d.type_url?.endsWith('.MultiOperationExecutionFailure') && d.value)
      .flatMap((d) => Failure.decode(d.value!).statuses)
      .map((op) => [op.message, ...(op.details ?? []).map((d) => d.type_url?.split('.').pop())].join(' '))
      .join('; ');
  } catch {
    return ''; // not a status this knows: judged by its message alone
  }
}

/**
 * Runs `attempt` until it answers, retrying transient failures with a pause, within the bound. `attempt`
 * must send the same update id every time, and set `progress.accepted` once a worker has taken it.
 */
export async function patiently<T>(
  client: Client,
  attempt: (progress: UpdateProgress) => Promise<T>,
  patience: Patience = {},
): Promise<T> {
  const bound = patience.patienceMs ?? UPDATE_PATIENCE_MS;
  let since = Date.now(); // the wait's start, and again once a worker has taken the update
  const progress: UpdateProgress = { accepted: false };
  let taken = false;
  const told = new Set<boolean>(); // once for a worker, once for Temporal itself
  const tell = (reason: string) => {
    if (told.has(reason === TEMPORAL_AWAY)) return;
    told.add(reason === TEMPORAL_AWAY);
    patience.onWait?.(reason, progress);
  };
  // An update a worker takes is accepted within milliseconds; one that waits this long has no worker.
  // Unless the server itself is away: then that is said, and its wait starts now (a recheck's import
  // first blamed a worker when Temporal had died).
  let awaySince: number | undefined;
  let finished = false;
  const notice = setTimeout(() => {
    if (progress.accepted) return;
    void temporalAnswers(client).then((answers) => {
      if (finished || progress.accepted) return; // answered or taken meanwhile: nothing to say
      if (answers) return tell(NO_WORKER);
      awaySince ??= Date.now();
      tell(TEMPORAL_AWAY);
    });
  }, NOTICE_AFTER_MS);
  try {
    for (;;) {
      const deadline = Math.min(Date.now() + TRY_MS, since + bound);
      try {
        return await client.connection.withDeadline(deadline, () => attempt(progress));
      } catch (err) {
        const transient = transientReason(err);
        if (!transient) throw err;
        // A try that ran out: a worker missing, or the server itself away. A restart is waited out, for
        // GONE_PATIENCE_MS at most; then the command says so (not a missing worker, not 2 min later).
        if (transient === NO_WORKER && !(await temporalAnswers(client))) {
          const away = (awaySince ??= Date.now());
          tell(TEMPORAL_AWAY);
          do {
            if (Date.now() - away >= GONE_PATIENCE_MS)
              throw new TemporalGone(addressOf(client), progress.accepted);
            await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
          } while (!(await temporalAnswers(client)));
          awaySince = undefined;
          continue;
        }
        if (progress.accepted && !taken) [taken, since] = [true, Date.now()];
        const reason = progress.accepted && transient === NO_WORKER ? ACCEPTED_UNFINISHED : transient;
        // Not "waiting for a worker" when what it waits on is the mail server.
        const heldUp = progress.accepted ? await patience.heldUpBy?.().catch(() => undefined) : undefined;
        if (heldUp) throw new UpdateHeldUp(heldUp);
        tell(reason);
        if (Date.now() + PAUSE_MS >= since + bound)
          throw new UpdateNotTaken(reason, progress.accepted, Date.now() - since);
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      }
    }
  } finally {
    finished = true;
    clearTimeout(notice);
  }
}

/**
 * A bound that ran out is exit 2, with what it means for the update: Temporal keeps an update it has
 * admitted, so one that no worker took may still be applied later. Any other error passes through.
 */
export function rethrowNotTaken(agreementId: string, err: unknown, what = 'the update'): never {
  if (err instanceof TemporalGone)
    throw new UnreachableError(
      `${err.message} while ${what} for ${agreementId} was on its way; ${
        err.accepted ? 'a worker had taken it: it finishes' : 'it may still be applied'
      } once Temporal and a worker run again: see \`dura status\` then, before you try again`,
    );
  if (err instanceof UpdateHeldUp)
    throw new UnreachableError(
      `the mail server for ${agreementId}: ${what} was taken and finishes once its mail goes out, which ` +
        `keeps failing: ${err.why}; see \`dura status\` before you try again`,
    );
  if (!(err instanceof UpdateNotTaken)) throw err;
  const then = err.accepted
    ? 'it was accepted and finishes when a worker runs'
    : 'it may still be applied when a worker runs';
  throw new UnreachableError(
    `a worker for ${agreementId}: ${err.message} (${err.reason}); ${then}: see \`dura status\` before you try again`,
  );
}

/** The line a command prints (once) while it waits. */
export function waitingLine(reason: string, progress: UpdateProgress, what = 'the update'): string {
  if (reason === TEMPORAL_AWAY)
    return `Temporal is not answering: waiting up to ${seconds(GONE_PATIENCE_MS)} for it to come back (a restart?)`;
  const bound = seconds(UPDATE_PATIENCE_MS);
  // "no worker has taken them yet" for the requests of a file (the other reasons name no "it").
  const said = reason === NO_WORKER && /s$/.test(what) ? 'no worker has taken them yet' : reason;
  return `waiting for a worker to ${progress.accepted ? 'finish' : 'take'} ${what} (${said}; trying for up to ${bound})`;
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}
