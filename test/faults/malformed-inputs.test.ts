// Fault 4: malformed inputs — CLI flags, CSV rows (`dura import`), request files (`dura request --file`),
// update payloads (each control's validator, through the client and the dev server) and environment
// values — against a running engine (dev server, the real activities, two agreements to aim the
// controls at). Every one is refused with one line that names the field, nothing crashes, no workflow
// is started and the two agreements' histories do not grow (a rejected update leaves no trace). They are
// counted distinct, per path (a real `dura` process, a CSV row, an update, a validator called in this
// process), and the table printed at the end is what the README states.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requestAgreement } from '../../client/agreements';
import { ConfigError, loadConfig } from '../../common/config';
import { parseRequest, RequestError } from '../../common/request';
import { mailSettings } from '../../activities/mail/settings';
import { statusQuery } from '../../workflows/messages';
import { aRequest } from '../helpers/agreements';
import { dura, type CliResult } from '../helpers/cli';
import { judgeCli } from '../helpers/cli-verdict';
import { realEngine } from '../helpers/engine';
import { devServerEnv } from '../helpers/env';
import { cliConfigSample, malformedConfig, malformedLinks } from '../helpers/malformed-env';
import {
  malformedCsv,
  malformedFlags,
  malformedPayloads,
  unparsableFiles,
  type BadRow,
  type Malformed,
} from '../helpers/malformed-requests';
import { malformedUpdates, noPayload } from '../helpers/malformed-updates';
import { inBatches } from '../helpers/patient-client';
import { until } from '../helpers/wait';
import { wallClock } from '../helpers/wall-time';
import { commanderCases, controlCases, headerFiles, registryCsv } from '../helpers/malformed-cli';
import { AT_LEAST_PROCESSES, envKey, PATHS, Tally, updateKey, type Path } from '../helpers/malformed-tally';

describe('fault: malformed inputs, distinct per path', function () {
  this.timeout(10 * 60_000);
  const wall = wallClock('malformed-inputs');
  const engine = realEngine(devServerEnv);
  const domains = { signing: '', initiating: '' };
  let dir: string;

  /** What a user can see of the engine: how many workflows, which, and how long two histories are. */
  async function snapshot() {
    const { client } = engine.env;
    const ids: string[] = [];
    for await (const w of client.workflow.list()) ids.push(w.workflowId);
    const lengths = await Promise.all(
      Object.values(domains).map(
        async (d) => (await client.workflow.getHandle(`dura-${d}`).describe()).historyLength,
      ),
    );
    return { count: (await client.workflow.count()).count, ids: ids.sort(), lengths };
  }

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-fault-malformed-'));
    const { env, queue } = engine;
    const signing = aRequest({ receivedAt: new Date().toISOString() });
    const initiating = aRequest({ receivedAt: new Date().toISOString() });
    await requestAgreement(env.client, signing, { taskQueue: queue });
    await requestAgreement(env.client, initiating, { taskQueue: queue, policy: { initiation: 'manual' } });
    domains.signing = signing.institution.domain;
    domains.initiating = initiating.institution.domain;
    const handle = env.client.workflow.getHandle(`dura-${domains.signing}`);
    await until(async () => (await handle.query(statusQuery)).initiatedAt !== null, 60_000);
    // Settled before anything is measured: the initiation's messages and records done, nothing pending,
    // the two histories no longer growing.
    let last = '';
    for (let settled = 0; settled < 3;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const described = await Promise.all(
        Object.values(domains).map((d) => env.client.workflow.getHandle(`dura-${d}`).describe()),
      );
      const now = JSON.stringify(
        described.map((d) => [d.historyLength, d.raw.pendingActivities?.length ?? 0]),
      );
      settled = now === last && described.every((d) => !d.raw.pendingActivities?.length) ? settled + 1 : 0;
      last = now;
    }
    await until(async () => (await env.client.workflow.count()).count === 2);
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
    wall.report();
  });

  it('refuses each with one line naming its field: 0 crashes, 0 workflows started, no trace', async () => {
    const before = await snapshot();
    const tally = new Tally();
    const problems: string[] = [];
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => {
      tally.processes++;
      return dura(args, { ...engine.cliEnv, ...env }, dir);
    };
    const judge = (label: string, result: CliResult, lines: string[]) => {
      const verdict = judgeCli(result, lines);
      if (verdict.problem) problems.push(`${label}: ${verdict.problem}`);
    };
    const file = (name: string, text: string) => {
      const at = path.join(dir, name);
      fs.writeFileSync(at, text);
      return at;
    };

    // CLI flags, request files and environment values through the real CLI (each a subprocess).
    const payloads = malformedPayloads();
    const throughCli = payloads.filter((_, i) => i % 4 === 0);
    const cliRuns: (() => Promise<void>)[] = [
      ...[...malformedFlags(), ...controlCases(domains)].map((c) => async () => {
        tally.add('cli', 'command lines', c.label);
        judge(`cli flags ${c.label}`, await cli(c.input), [c.field]);
      }),
      ...[
        ...throughCli.map((c) => ({ ...c, input: JSON.stringify(c.input) })),
        ...unparsableFiles, // not JSON at all
      ].map((c, i) => async () => {
        tally.add('cli', 'request files', c.label);
        judge(
          `request file (CLI) ${c.label}`,
          await cli(['request', '--file', file(`request-${i}.json`, c.input)]),
          [c.field],
        );
      }),
      ...cliConfigSample().map((c, i) => async () => {
        const args = i % 2 ? ['status', domains.signing] : ['list'];
        tally.add('cli', 'environments', envKey(c.input));
        judge(`env value (CLI) ${c.label}`, await cli(args, c.input), [c.field]);
      }),
    ];
    // CSV files: four of 150 request rows (a file of a realistic size; its rows repeat 35 defects), each
    // row's problem on its own line; three whose header is wrong; a registry of 40 rows (5 defects).
    const csvFiles: string[] = [];
    const rows = (kind: string, expected: BadRow[]) => {
      for (const e of expected) tally.add('csv', kind, e.defect);
    };
    const bad = (expected: BadRow[]) => expected.map((e) => `line ${e.line}, ${e.field}`);
    for (let f = 0; f < 4; f++) {
      const { text, expected } = malformedCsv(150, f * 150);
      const at = file(`requests-${f}.csv`, text);
      csvFiles.push(`requests-${f}.csv ${expected.length} rows`);
      cliRuns.push(async () => {
        rows('request rows', expected);
        judge(`CSV rows requests-${f}.csv`, await cli(['import', at]), [
          `${at}: nothing requested`,
          ...bad(expected),
        ]);
      });
      if (f === 3)
        cliRuns.push(async () => {
          // --skip-invalid with nothing valid: every row listed as skipped, nothing requested.
          rows('request rows', expected);
          const result = await cli(['import', at, '--skip-invalid', '--json']);
          const out =
            result.status === 0
              ? (JSON.parse(result.stdout) as {
                  requested: number;
                  skipped: { line: number; field: string }[];
                })
              : undefined;
          const skipped = out?.skipped.map((p) => ({ line: p.line, field: p.field }));
          const want = expected.map((e) => ({ line: e.line, field: e.field }));
          if (out?.requested !== 0 || JSON.stringify(skipped) !== JSON.stringify(want))
            problems.push(`--skip-invalid: ${result.status} ${result.stderr} ${result.stdout.slice(0, 300)}`);
        });
    }
    for (const h of headerFiles()) {
      const at = file(h.name, h.text);
      csvFiles.push(`${h.name} (bad header)`);
      cliRuns.push(async () => {
        tally.add('csv', 'headers', h.name);
        judge(`CSV header ${h.name}`, await cli(['import', at]), [
          `${at}: nothing requested`,
          'line 1, header',
        ]);
      });
    }
    const registry = registryCsv(40);
    const registryAt = file('registered.csv', registry.text);
    csvFiles.push(`registered.csv ${registry.expected.length} rows`);
    cliRuns.push(async () => {
      rows('registry rows', registry.expected);
      judge('CSV rows registered.csv', await cli(['institutions', 'import', registryAt]), [
        `${registryAt}: nothing imported`,
        ...bad(registry.expected),
      ]);
    });
    await inBatches(cliRuns, 3, (run) => run());

    // The rest in process: the same validators the CLI and the worker run.
    const expectOne = (
      where: Path,
      c: Malformed<unknown>,
      run: () => unknown,
      type: new (...a: never[]) => Error,
      lines: (e: Error) => string[],
    ) => {
      try {
        run();
        problems.push(`${PATHS[where]} ${c.label}: accepted`);
      } catch (err) {
        if (!(err instanceof type))
          return void problems.push(`${PATHS[where]} ${c.label}: crashed: ${(err as Error).stack}`);
        const said = lines(err);
        if (said.length !== 1 || !said[0]!.startsWith(c.field))
          problems.push(`${PATHS[where]} ${c.label}: said ${JSON.stringify(said)}`);
      }
    };
    for (const c of payloads.filter((_, i) => i % 4 !== 0)) {
      tally.add('request', 'request files', c.label);
      expectOne(
        'request',
        c,
        () => parseRequest(JSON.parse(JSON.stringify(c.input))),
        RequestError,
        (e) => e.message.split('\n'),
      );
    }
    const envReaders = [
      [malformedConfig(), loadConfig],
      [malformedLinks(), mailSettings],
    ] as const;
    for (const [cases, read] of envReaders)
      for (const c of cases) {
        tally.add('env', 'environments', envKey(c.input));
        expectOne(
          'env',
          c,
          () => read(c.input),
          ConfigError,
          (e) => (e as ConfigError).problems,
        );
      }

    // Updates through the client: the dev server hands each to the worker (in this process), whose
    // workflow runs the update's validator.
    for (const c of malformedUpdates()) {
      tally.add('update', 'updates', updateKey(c.input));
      const handle = engine.env.client.workflow.getHandle(
        `dura-${c.input.on === 'awaiting-signature' ? domains.signing : domains.initiating}`,
      );
      const { update, payload } = c.input;
      try {
        await (payload === noPayload
          ? handle.executeUpdate(update)
          : handle.executeUpdate(update, { args: [payload] }));
        problems.push(`update ${c.label}: accepted`);
      } catch (err) {
        const e = err as Error & { cause?: Error };
        if (e.name !== 'WorkflowUpdateFailedError')
          problems.push(`update ${c.label}: ${e.name}: ${e.message}`);
        else if (!e.cause?.message.startsWith(c.field) || e.cause.message.includes('\n'))
          problems.push(`update ${c.label}: said ${JSON.stringify(e.cause?.message)}`);
      }
    }

    console.log(tally.table(csvFiles));

    assert.deepEqual(problems, []);
    assert.deepEqual(tally.shortfalls(), [], 'a path holds fewer distinct inputs than the README states');
    assert.ok(
      tally.processes >= AT_LEAST_PROCESSES,
      `only ${tally.processes} \`dura\` processes, fewer than ${AT_LEAST_PROCESSES}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000)); // visibility catches up
    assert.deepEqual(await snapshot(), before, 'a workflow was started or an agreement’s history grew');
  });

  it('answers what commander refuses (unknown option, bad choice, missing value) the same way, `dura:` first', async () => {
    const results = await inBatches(commanderCases(domains.signing), 3, async (c) => ({
      c,
      result: await dura(c.input, engine.cliEnv, dir),
    }));
    const wrong = results.flatMap(({ c, result }) => {
      const { problem } = judgeCli(result, [c.field]);
      return problem ? [`${c.label} → ${problem}`] : [];
    });
    assert.deepEqual(wrong, []);
  });
});
