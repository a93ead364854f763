/**
 * `POST /api/registration`: the Researcher Workbench tells dura that requesters completed registration
 * steps (issue 18). JSON, never a form: no CSRF token (it is not a browser's post), the same per-address
 * rate limit as the forms (DURA_WEB_RATE_LIMIT), answers in JSON.
 *
 * Body: `{ "email": "ada@uw.edu", "step": "identity", "completedOn": "2026-11-20" }`, or a list of up to
 * MAX_ITEMS of them (a step by its own name or its words, common/registration-input.ts; completedOn a
 * YYYY-MM-DD New York date or an ISO-8601 instant, not after today). Signed (web/workbench-signature.ts).
 *
 * Answers, in order of the checks (nothing is recorded unless every check passes):
 *   404 `DURA_WORKBENCH_SECRET` unset: the endpoint is off;
 *   401 a missing or stale timestamp, or a signature that does not match (logged, without the body);
 *   400 not JSON, or bad fields: `problems`, one line per field (`[1].step: unknown step …`);
 *   404 an address with no registration tracked: `problems` naming each;
 *   503 Temporal or the worker does not answer;
 *   200 `{ outcome, registration }` (a list: `{ results: [...] }`), outcome `recorded`, `already-recorded`
 *       (that step on that date: nothing changed) or `already-complete` (every step was done already).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { registrationsFor } from '../../activities/records/registrations';
import { checkStepInput, type StepInput } from '../../common/registration-input';
import type { RegistrationStatus } from '../../common/registration';
import { newYorkDate } from '../../common/when';
import { recordRegistrationStep } from '../../client/registration';
import { UnreachableError } from '../../client/output';
import { unconfirmed } from '../../client/update-retry';
import { outcomeOfUnchanged, type StepOutcome } from '../../client/registration-inputs';
import type { WebContext } from '../page';
import { SIGNATURE_PROBLEM_WORDS, verifyWorkbenchSignature } from '../workbench-signature';

/** Steps in one post at most. */
export const MAX_ITEMS = 500;
/** A list of MAX_ITEMS steps fits (each ~100 bytes). */
export const HOOK_BODY_LIMIT = 128 * 1024;

const PATH = '/api/registration';

type Answer = { outcome: StepOutcome; registration: RegistrationStatus };

function problem(reply: FastifyReply, status: number, error: string, problems?: string[]): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send(problems ? { error, problems } : { error });
}

export async function registerRegistrationHook(app: FastifyInstance, ctx: WebContext): Promise<void> {
  await app.register(async (scope) => {
    // The signature covers the bytes sent: the body is kept raw here and parsed after it is verified.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: HOOK_BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
    // Errors here (415, 413, 429) answer in JSON, not as the pages' HTML.
    scope.setErrorHandler((error: { statusCode?: number; message: string }, req, reply) => {
      const status =
        error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) req.log.error({ route: PATH, err: error.message }, 'registration hook failed');
      return problem(reply, status, status === 500 ? 'something went wrong' : error.message);
    });
    const limit = scope.rateLimit({ max: ctx.web.rateLimit, timeWindow: 60_000 });

    scope.post(PATH, { onRequest: limit, bodyLimit: HOOK_BODY_LIMIT }, async (req, reply) => {
      const secret = ctx.web.workbenchSecret;
      if (!secret)
        return problem(reply, 404, 'not found: the registration endpoint is not enabled on this server');
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signed = verifyWorkbenchSignature(secret, req.headers, raw, ctx.now());
      if (!signed.ok) {
        req.log.warn(
          { event: 'registration-hook-refused', problem: signed.problem },
          'registration hook: refused',
        );
        return problem(reply, 401, SIGNATURE_PROBLEM_WORDS[signed.problem]);
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return problem(reply, 400, 'body: not JSON (send application/json)');
      }
      const list = Array.isArray(body);
      const items: unknown[] = list ? (body as unknown[]) : [body];
      if (list && (items.length === 0 || items.length > MAX_ITEMS))
        return problem(reply, 400, `body: expected 1 to ${MAX_ITEMS} steps, got ${items.length}`);
      const checked = checkItems(items, list, newYorkDate(ctx.now()));
      if ('problems' in checked) return problem(reply, 400, 'bad request', checked.problems);

      const unknown: string[] = [];
      for (const [i, input] of checked.inputs.entries())
        if (!(await registrationsFor(ctx.store.db, input.email)).length)
          unknown.push(`${list ? `[${i}].` : ''}email: no registration is tracked for ${input.email}`);
      if (unknown.length) return problem(reply, 404, 'no registration is tracked for an address', unknown);

      const results: Answer[] = [];
      try {
        const client = await ctx.temporal();
        for (const [i, input] of checked.inputs.entries()) {
          const answer = await recordRegistrationStep(
            client,
            { ...ctx.config, recordsDb: ctx.store.db },
            {
              email: input.email,
              step: input.step,
              on: input.completedOn,
              source: 'workbench',
            },
            { patienceMs: ctx.patienceMs ?? 30_000 },
          );
          const at = list ? `[${i}]: ` : '';
          if (answer.outcome === 'not-tracked')
            return problem(reply, 404, 'no registration is tracked for an address', [
              `${at}email: ${input.email}`,
            ]);
          if (answer.outcome === 'rejected')
            return problem(reply, 400, 'refused', [`${at}${answer.message}`]);
          results.push({
            outcome: answer.outcome === 'recorded' ? 'recorded' : outcomeOfUnchanged(answer.status, input),
            registration: answer.status,
          });
        }
      } catch (err) {
        // No worker took the step within the wait: the Workbench posts it again later (it is idempotent).
        if (unconfirmed(err)) return problem(reply, 503, 'not recorded yet: try again later');
        if (!(err instanceof UnreachableError)) throw err;
        req.log.warn(
          { event: 'registration-hook-unavailable' },
          'registration hook: Temporal did not answer',
        );
        return problem(reply, 503, 'unavailable: try again later');
      }
      return reply.header('cache-control', 'no-store').send(list ? { results } : results[0]);
    });
  });
}

/** Every item's problems (`[i].field: …` in a list), or the items checked. */
function checkItems(
  items: unknown[],
  list: boolean,
  today: string,
): { inputs: StepInput[] } | { problems: string[] } {
  const inputs: StepInput[] = [];
  const problems: string[] = [];
  for (const [i, item] of items.entries()) {
    const at = list ? `[${i}]` : '';
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${at || 'body'}: expected an object {email, step, completedOn}`);
      continue;
    }
    const checked = checkStepInput(item as Record<string, unknown>, { today });
    if ('input' in checked) inputs.push(checked.input);
    else for (const p of checked.problems) problems.push(`${at ? `${at}.` : ''}${p.field}: ${p.message}`);
  }
  return problems.length ? { problems } : { inputs };
}
