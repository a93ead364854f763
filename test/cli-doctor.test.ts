// `dura doctor`: every part the engine needs, checked at once, with the exit code a monitor reads. The
// CLI as a subprocess, the dev server, a real worker on SQLite, mail to an SMTP sink.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import * as net from 'node:net';
import { devServerEnv } from './helpers/env';
import { dura as runDura } from './helpers/cli';
import { realEngine } from './helpers/engine';
import { until } from './helpers/wait';
import { recordMailTransport } from '../activities/records/engine-settings';
import * as sa from '../workflows/search-attributes';

interface Doctor {
  ok: boolean;
  checks: { check: string; finding: 'ok' | 'warning' | 'problem'; detail: string }[];
}

/** A port nothing listens on (taken, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('dura doctor', function () {
  const engine = realEngine(devServerEnv, {}, 'sqlite');
  const doctor = async (env: NodeJS.ProcessEnv = {}) => {
    const run = await runDura(['doctor', '--json'], { SMTP_URL: engine.smtp.url, ...engine.cliEnv, ...env });
    assert.ok(run.stdout, `no answer (exit ${run.status}): ${run.stderr}`);
    const answer = JSON.parse(run.stdout) as Doctor;
    const findings = Object.fromEntries(answer.checks.map((c) => [c.check, c.finding]));
    return {
      status: run.status,
      answer,
      findings,
      detail: (name: string) => answer.checks.find((c) => c.check === name)?.detail,
    };
  };

  it('all well: every check ok, exit 0; no weekly digest is a warning until `schedule ensure`', async () => {
    const before = await doctor();
    assert.equal(before.status, 0, JSON.stringify(before.answer));
    assert.deepEqual(before.findings, {
      temporal: 'ok',
      workers: 'ok',
      'search-attributes': 'ok',
      schedule: 'warning',
      agreements: 'ok',
      records: 'ok',
      encryption: 'ok',
      'mail-queue': 'ok',
      mail: 'ok',
    });
    assert.match(before.detail('workers')!, new RegExp(`^1 polling task queue ${engine.queue}`));
    assert.match(before.detail('schedule')!, /dura schedule ensure/);
    assert.equal((await runDura(['schedule', 'ensure'], engine.cliEnv)).status, 0);
    const after = await doctor();
    assert.deepEqual([after.status, after.findings.schedule, after.answer.ok], [0, 'ok', true]);
    // When it runs next, in New York words with UTC beside (a trial was shown a bare UTC instant).
    assert.match(
      after.detail('schedule')!,
      /^the weekly digest runs next Monday, \w+ \d+, \d{4}, 9:00 AM ET \(1[34]:00 UTC\)$/,
    );
    // The text view: a line a check, the problem marked.
    const text = await runDura(['doctor'], { ...engine.cliEnv, SMTP_URL: engine.smtp.url });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^temporal +ok +127\.0\.0\.1:\d+, namespace default$/m);
    assert.equal(text.stdout.trim().split('\n').length, 9);
  });

  it('a queue no worker polls, and a mail server that does not answer: problems, exit 1', async () => {
    const port = await closedPort();
    const found = await doctor({
      DURA_TASK_QUEUE: 'nobody-polls-this',
      SMTP_URL: `smtp://127.0.0.1:${port}`,
    });
    assert.equal(found.status, 1);
    assert.equal(found.answer.ok, false);
    assert.equal(found.findings.workers, 'problem');
    assert.match(
      found.detail('workers')!,
      /^no worker polls task queue nobody-polls-this for workflow tasks/,
    );
    assert.equal(found.findings.mail, 'problem');
    assert.match(
      found.detail('mail')!,
      new RegExp(
        `^127\\.0\\.0\\.1:${port}, this dura's SMTP_URL \\(no worker has recorded the engine's\\): .*ECONNREFUSED`,
      ),
    );
    assert.equal(found.findings.temporal, 'ok');
    // No SMTP_URL: the outbox, a warning only.
    const outbox = await doctor({ SMTP_URL: '' });
    assert.deepEqual([outbox.status, outbox.findings.mail], [0, 'warning']);
    assert.match(
      outbox.detail('mail')!,
      /^no SMTP_URL \(this dura's; .*\): messages are written to .*outbox as \.eml files/,
    );
    // Where a worker recorded the engine's mail (worker/main.ts at start), that server is the one checked,
    // whatever this dura's SMTP_URL says (a trial ran doctor with the banner's settings, which had none).
    const { port: sink } = new URL(engine.smtp.url);
    await recordMailTransport(engine.dura.store.db, {
      smtp: { protocol: 'smtp', host: '127.0.0.1', port: Number(sink) },
      outbox: null,
    });
    const engines = await doctor({ SMTP_URL: '' });
    assert.deepEqual([engines.status, engines.findings.mail], [0, 'ok']);
    assert.equal(
      engines.detail('mail'),
      `127.0.0.1:${sink}, the engine's server: accepts connections; its login not checked (this dura's SMTP_URL is unset)`,
    );
    const same = await doctor();
    assert.equal(same.detail('mail'), `127.0.0.1:${sink}, the engine's server: accepts connections`);
    await recordMailTransport(engine.dura.store.db, { smtp: null, outbox: '/srv/dura/outbox' });
    const engineOutbox = await doctor();
    assert.deepEqual([engineOutbox.status, engineOutbox.findings.mail], [0, 'warning']);
    assert.equal(
      engineOutbox.detail('mail'),
      "no SMTP_URL (the engine's): messages are written to /srv/dura/outbox as .eml files, not sent",
    );
    await engine.dura.store.db.deleteFrom('engine_settings').where('name', '=', 'mail-transport').execute();
  });

  it('a mail server that takes the connection and never greets: said as status says it, and doctor exits', async () => {
    // It accepts, never writes and never closes its side: a relay frozen (a trial's stopped sink, where
    // doctor printed its report and never exited, so a monitor got no exit code).
    const sockets: net.Socket[] = [];
    const hung = net.createServer({ allowHalfOpen: true }, (s) => sockets.push(s)).listen(0, '127.0.0.1');
    await once(hung, 'listening');
    const { port } = hung.address() as net.AddressInfo;
    try {
      const found = await doctor({ SMTP_URL: `smtp://127.0.0.1:${port}` });
      assert.equal(found.status, 1, 'exited with the problem code (the helper kills it at 60 s: null)');
      assert.equal(found.findings.mail, 'problem');
      assert.match(
        found.detail('mail')!,
        new RegExp(`^127\\.0\\.0\\.1:${port}, .*: took the connection but never greeted \\(`),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      hung.close();
    }
  });

  it('an agreement an hour past its next reminder is not moving: a problem naming it', async () => {
    // Its workflow on a queue no worker polls, as one whose worker stopped or whose task keeps failing.
    const { client } = engine.env;
    const handle = await client.workflow.start('agreementWorkflow', {
      workflowId: 'dura-stuck.example.edu',
      taskQueue: 'nobody-polls-this',
      args: [{}],
      typedSearchAttributes: [
        { key: sa.DuraStage, value: 'awaiting-signature' },
        { key: sa.DuraNextReminderAt, value: new Date(Date.now() - 2 * 3600_000) },
      ],
    });
    try {
      await until(async () => (await client.workflow.count(`WorkflowId='${handle.workflowId}'`)).count === 1);
      const found = await doctor();
      assert.equal(found.status, 1);
      assert.equal(found.findings.agreements, 'problem');
      assert.match(
        found.detail('agreements')!,
        /^1 an hour or more past its next reminder \(dura-stuck\.example\.edu\): not moving/,
      );
    } finally {
      await handle.terminate('test over');
    }
    assert.equal((await doctor()).findings.agreements, 'ok');
  });

  it('Temporal or the records unreachable: exit 2, and every other part still checked', async () => {
    const down = await doctor({ TEMPORAL_ADDRESS: `127.0.0.1:${await closedPort()}` });
    assert.equal(down.status, 2);
    assert.deepEqual(
      [down.findings.temporal, down.findings.workers, down.findings.records, down.findings.mail],
      ['problem', 'problem', 'ok', 'ok'],
    );
    assert.equal(down.detail('workers'), 'not checked (Temporal, above)');
    assert.match(
      down.detail('temporal')!,
      /\(is the engine running, and are TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE the engine's\?\)$/,
    );
    // Reached, but another namespace than the engine's: said so, not as a server that does not answer.
    const elsewhere = await doctor({ TEMPORAL_NAMESPACE: 'dura-nowhere' });
    assert.equal(elsewhere.status, 2);
    assert.match(
      elsewhere.detail('temporal')!,
      /^Temporal at 127\.0\.0\.1:\d+ answers, but has no namespace dura-nowhere: set TEMPORAL_NAMESPACE to the engine's/,
    );
    const noRecords = await doctor({ DATABASE_URL: 'sqlite:/nonexistent/dura.sqlite' });
    assert.equal(noRecords.status, 2);
    assert.deepEqual([noRecords.findings.records, noRecords.findings.temporal], ['problem', 'ok']);
    assert.match(noRecords.detail('records')!, /no such file/);
  });

  it('the records write-locked by another process: a problem (exit 1), not "ok"', async () => {
    // A sqlite3 shell left in BEGIN EXCLUSIVE (a trial: every message and record waited, doctor said ok).
    const { default: Sqlite } = await import('better-sqlite3');
    const shell = new Sqlite(engine.cliEnv.DATABASE_URL!.replace(/^sqlite:/, ''));
    shell.exec('BEGIN EXCLUSIVE');
    try {
      const locked = await doctor();
      assert.equal(locked.status, 1);
      assert.equal(locked.findings.records, 'problem');
      // Its wait does not stall the Temporal checks beside it (a recheck: "Temporal down", exit 2).
      assert.equal(locked.findings.temporal, 'ok', locked.detail('temporal'));
      assert.match(
        locked.detail('records')!,
        /^sqlite:.*: cannot be written: database is locked \(another process holds its write lock; messages and records wait until it lets go\)$/,
      );
    } finally {
      shell.exec('ROLLBACK');
      shell.close();
    }
    assert.equal((await doctor()).findings.records, 'ok', 'once it lets go');
  });
});
