/**
 * mocha's spec reporter plus one plain closing line, "N passed, N failed, N skipped", which CI reads,
 * and the time the test files' PostgreSQL runs took (suites whose title names postgres), when the files
 * run one at a time (in `--parallel` mode a file's events arrive only once it ends, so that line is left
 * out).
 */
import Mocha from 'mocha';

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const started = new Map<Mocha.Suite, number>();
    let postgresMs = 0;
    let postgresSuites = 0;
    // Top-level suites only (a file's describe), hooks included: what each database run costs CI.
    runner.on(Mocha.Runner.constants.EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.parent?.root && /postgres/i.test(suite.title)) started.set(suite, performance.now());
    });
    runner.on(Mocha.Runner.constants.EVENT_SUITE_END, (suite: Mocha.Suite) => {
      const at = started.get(suite);
      if (at === undefined) return;
      postgresMs += performance.now() - at;
      postgresSuites++;
    });
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      if (postgresSuites)
        process.stdout.write(
          `\n${postgresSuites} suites on PostgreSQL took ${(postgresMs / 1000).toFixed(0)} s of this run\n`,
        );
      process.stdout.write(`\n${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

export = SummaryReporter;
