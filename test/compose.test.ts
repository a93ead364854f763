// The production stack, checked statically (these machines have no Docker engine): what
// docker-compose.yml and the Dockerfile promise in README's "Production" section.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { constants } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../common/config';
import { temporalServerDir } from '../scripts/tools';
import { devServerSearchAttributeArgs } from '../workflows/search-attributes';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

interface Service {
  image?: string;
  command?: string[];
  build?: unknown;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown };
  ports?: string[];
  environment?: Record<string, string>;
  env_file?: string;
  restart?: string;
  volumes?: string[];
  entrypoint?: string[];
  ulimits?: Record<string, number | { soft: number; hard: number }>;
}

interface RenderedConfig {
  persistence: {
    numHistoryShards: number;
    defaultStore: string;
    visibilityStore: string;
    datastores: Record<
      string,
      { sql: { pluginName: string; databaseName: string; connectAddr: string; user: string } }
    >;
  };
  services: Record<
    string,
    { rpc: { grpcPort: number; membershipPort: number; httpPort?: number; bindOnIP: string } }
  >;
}

describe('production stack (docker-compose.yml, Dockerfile)', () => {
  // `<<: *anchor` merges, as docker compose reads them (the worker and the pages share one environment).
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
  const services = compose.services;
  const dependsOn = (name: string) =>
    Object.fromEntries(Object.entries(services[name]?.depends_on ?? {}).map(([k, v]) => [k, v.condition]));

  it('has every service, each image pinned to a version', () => {
    assert.deepEqual(Object.keys(services).sort(), [
      'dura-migrate',
      'dura-web',
      'dura-worker',
      'mailpit',
      'postgres',
      'temporal',
      'temporal-schema',
      'temporal-setup',
      'temporal-ui',
    ]);
    assert.match(services.postgres!.image!, /^postgres:16\.\d+/);
    for (const [name, service] of Object.entries(services)) {
      const image = service.image ?? '';
      assert.match(image, /^[\w./-]+:[\w.-]+$/, `${name}: image without a tag`);
      assert.doesNotMatch(image, /:latest$/, `${name}: image pinned to latest`);
    }
    assert.equal(services['dura-migrate']!.build, '.', 'the dura image is built from the Dockerfile');
    assert.equal(services['dura-worker']!.image, services['dura-migrate']!.image);
    assert.equal(services['dura-web']!.image, services['dura-migrate']!.image);
  });

  it('runs the one-shot jobs in order, each service after what it needs', () => {
    assert.deepEqual(dependsOn('temporal-schema'), { postgres: 'service_healthy' });
    assert.deepEqual(dependsOn('temporal'), { 'temporal-schema': 'service_completed_successfully' });
    assert.deepEqual(dependsOn('temporal-setup'), { temporal: 'service_healthy' });
    assert.deepEqual(dependsOn('temporal-ui'), { temporal: 'service_healthy' });
    assert.deepEqual(dependsOn('dura-migrate'), { postgres: 'service_healthy' });
    assert.deepEqual(dependsOn('dura-worker'), {
      'dura-migrate': 'service_completed_successfully',
      'temporal-setup': 'service_completed_successfully',
      mailpit: 'service_healthy',
    });
    // The pages start agreements through a worker (an update), and read the migrated records.
    assert.deepEqual(dependsOn('dura-web'), { 'dura-worker': 'service_healthy' });
    for (const job of ['temporal-schema', 'temporal-setup', 'dura-migrate'])
      assert.equal(services[job]!.restart, 'no', `${job} runs once`);
  });

  it('the schema job covers both Temporal databases; the setup job registers every search attribute', () => {
    const schema = read('deploy/temporal-schema.sh');
    assert.match(schema, /for db in temporal temporal_visibility/);
    // The admin-tools image's schemas by default; the native runner's from the server's module.
    assert.match(schema, /schema="\$\{TEMPORAL_SCHEMA_DIR:-\/etc\/temporal\/schema\}"/);
    assert.match(schema, /update-schema -d "\$schema\/postgresql\/v12\/\$dir\/versioned"/);
    const setup = read('deploy/temporal-setup.sh');
    const registered = [...setup.matchAll(/(Dura\w+)=(\w+)/g)].map((m) => `${m[1]}=${m[2]}`).sort();
    const expected = devServerSearchAttributeArgs()
      .filter((a) => a !== '--search-attribute')
      .sort();
    assert.deepEqual(registered, expected);
    for (const script of ['deploy/temporal-schema.sh', 'deploy/temporal-setup.sh'])
      execFileSync('sh', ['-n', path.join(root, script)]); // parses
  });

  it('runs the Temporal server version that setup builds, on the configuration in deploy/', () => {
    const temporal = services.temporal!;
    const version = temporal.image!.replace(/^temporalio\/server:/, '');
    assert.match(version, /^\d+\.\d+\.\d+$/);
    // The schema and setup jobs' tools match the server (its schemas are the ones the server expects).
    for (const job of ['temporal-schema', 'temporal-setup'])
      assert.equal(services[job]!.image, `temporalio/admin-tools:${version}`, job);
    // scripts/setup-temporal-server.sh builds what the compose file pins (scripts/lib.sh reads it there).
    const built = execFileSync('bash', ['-c', '. scripts/lib.sh && echo "$TEMPORAL_SERVER_VERSION"'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    assert.equal(built, `v${version}`);
    // The server reads <root>/<config>/<env>.yaml: the one file scripts/production.sh runs too.
    const args = temporal.entrypoint!;
    const flag = (name: string) => args[args.indexOf(name) + 1]!;
    assert.equal(args[0], 'temporal-server');
    assert.equal(args.at(-1), 'start');
    const inContainer = path.posix.join(flag('--root'), flag('--config'), `${flag('--env')}.yaml`);
    assert.deepEqual(temporal.volumes, [`./deploy/temporal-server.yaml:${inContainer}:ro`]);
    assert.deepEqual([flag('--config'), flag('--env')], ['deploy', 'temporal-server']);
    assert.match(
      read('scripts/production.sh'),
      /--root "\$root" --config deploy\s*\\?\s*--env temporal-server/,
    );
  });

  it('deploy/temporal-server.yaml renders for compose and for the native runner, from their values alone', () => {
    const config = read('deploy/temporal-server.yaml');
    assert.match(config.slice(0, 1024), /^# enable-template$/m, 'the server renders it as a template');
    const reads = new Set([...config.matchAll(/env "(\w+)"/g)].map((m) => m[1]!));
    // Compose's values (its ${…} from an example .env) and the native runner's (server_env).
    const composeEnv = Object.fromEntries(
      Object.entries(services.temporal!.environment ?? {}).map(([k, v]) => [
        k,
        String(v).replace(
          /\$\{(\w+)(?::-([^}]*))?\}/g,
          (_, name: string, fallback?: string) => fallback ?? `${name}-value`,
        ),
      ]),
    );
    // The native runner's: scripts/production.sh's own server_env, run for some ports and shards.
    const nativeEnv = Object.fromEntries(
      execFileSync(
        'bash',
        ['-c', 'eval "$(sed -n "/^server_env() {/,/^}/p" scripts/production.sh)"; server_env'],
        {
          cwd: root,
          env: {
            PATH: process.env.PATH,
            TEMPORAL_PORT: '21000',
            POSTGRES_PORT: '21001',
            TEMPORAL_SHARDS: '8',
          },
          encoding: 'utf8',
        },
      )
        .trim()
        .split(/\s+/)
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ) as Record<string, string>;
    for (const [runner, env] of [
      ['compose', composeEnv],
      ['native', nativeEnv],
    ] as const) {
      const unread = Object.keys(env).filter((name) => !reads.has(name));
      assert.deepEqual(unread, [], `${runner} sets variables the configuration does not read`);
      for (const name of [
        'POSTGRES_HOST',
        'POSTGRES_PORT',
        'POSTGRES_USER',
        'TEMPORAL_PORT',
        'TEMPORAL_SHARDS',
      ])
        assert.ok(name in env, `${runner} leaves ${name} to the default`);
    }

    // The server's own loader renders it (scripts/setup-temporal-server.sh built the server).
    const render = (env: Record<string, string>) =>
      parse(
        execFileSync(
          path.join(temporalServerDir(), 'temporal-server'),
          ['--config', 'deploy', '--env', 'temporal-server', 'render-config'],
          {
            cwd: root,
            env: { PATH: process.env.PATH, ...env },
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        ),
      ) as RenderedConfig;
    const rendered = render(composeEnv);
    const stores = rendered.persistence.datastores;
    assert.equal(rendered.persistence.numHistoryShards, 4);
    assert.equal(stores[rendered.persistence.defaultStore]!.sql.databaseName, 'temporal');
    assert.equal(stores[rendered.persistence.visibilityStore]!.sql.databaseName, 'temporal_visibility');
    for (const store of Object.values(stores)) {
      assert.equal(store.sql.pluginName, 'postgres12');
      assert.equal(store.sql.connectAddr, 'postgres:5432');
      assert.equal(store.sql.user, 'POSTGRES_USER-value');
    }
    assert.equal(rendered.services.frontend!.rpc.grpcPort, 7233, 'the port compose publishes');
    assert.equal(rendered.services.frontend!.rpc.bindOnIP, '0.0.0.0');

    const native = render(nativeEnv);
    assert.equal(native.persistence.numHistoryShards, 8);
    assert.equal(native.persistence.datastores.default!.sql.connectAddr, '127.0.0.1:21001');
    // Every service on 127.0.0.1, on the 9 ports from TEMPORAL_PORT, none twice.
    const ports = Object.values(native.services).flatMap((s) => {
      assert.equal(s.rpc.bindOnIP, '127.0.0.1');
      return [s.rpc.grpcPort, s.rpc.membershipPort, ...(s.rpc.httpPort ? [s.rpc.httpPort] : [])];
    });
    assert.deepEqual(
      [...ports].sort((a, b) => a - b),
      Array.from({ length: 9 }, (_, i) => 21000 + i),
    );
    assert.throws(() => render({}), /POSTGRES_USER is not set/);
  });

  it('long-running services have healthchecks; no port is published beyond 127.0.0.1', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.restart !== 'no') assert.ok(service.healthcheck?.test, `${name}: no healthcheck`);
      for (const port of service.ports ?? [])
        assert.match(port, /^127\.0\.0\.1:\d+:\d+$/, `${name}: ${port}`);
    }
  });

  it("the worker's environment sets every configuration variable; secrets come from .env", () => {
    const environment = services['dura-worker']!.environment ?? {};
    const missing = CONFIG_VARIABLES.filter((v) => !(v in environment));
    assert.deepEqual(missing, [], 'variables of common/config.ts the worker does not get');
    assert.equal(services['dura-worker']!.env_file, '.env');
    assert.match(read('.gitignore'), /^\.env$/m);
    // Every variable the file requires (${X:?…}) is in the committed example.
    const example = read('.env.example');
    const required = [...read('docker-compose.yml').matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!);
    for (const variable of new Set(required))
      assert.match(example, new RegExp(`^${variable}=`, 'm'), `${variable} missing from .env.example`);
  });

  it('the web pages run `dura web` with what the worker has: the links it mails open there', () => {
    const web = services['dura-web']!;
    const worker = services['dura-worker']!.environment ?? {};
    const environment = web.environment ?? {};
    assert.deepEqual(web.command, ['node', 'bin/dura.js', 'web']);
    assert.equal(web.env_file, '.env');
    // Only the worker's own settings (its mail server, cache, shutdown, metrics) are left out.
    const workerOnly = [
      'SMTP_URL',
      'DURA_WORKER_CACHE',
      'DURA_SHUTDOWN_GRACE_SECONDS',
      'DURA_STICKY_TIMEOUT_SECONDS',
      'DURA_METRICS_ADDRESS',
    ];
    const differ = CONFIG_VARIABLES.filter((v) => !workerOnly.includes(v) && environment[v] !== worker[v]);
    assert.deepEqual(differ, [], 'variables the pages do not get as the worker does');
    // Two containers share no key file: the status-link key must come from .env.
    assert.match(environment.DURA_LINK_KEY ?? '', /^\$\{DURA_LINK_KEY:\?/);
    assert.equal(environment.DURA_WEB_HOST, '0.0.0.0', 'listens beyond the container');
    assert.deepEqual(web.ports, [`127.0.0.1:8080:${environment.DURA_WEB_PORT}`]);
    assert.ok(web.healthcheck?.test);
  });

  it('the Dockerfile builds in one stage and runs the worker unprivileged in another', () => {
    const dockerfile = read('Dockerfile');
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);
    assert.ok(stages.length >= 2, 'multi-stage');
    for (const image of stages) assert.match(image, /^node:\d+\.\d+\.\d+-/, `${image} is pinned`);
    const last = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    assert.match(last, /^USER node$/m);
    assert.doesNotMatch(last, /^USER root$/m);
    assert.match(last, /^CMD \["node", "lib\/worker\/main\.js"\]$/m);
    assert.match(last, /activities\/mail\/templates/, 'the e-mail templates ship with the image');
    assert.match(dockerfile, /^COPY web \.\/web$/m, 'the web pages are built');
    assert.match(last, /\/app\/web\b/, "the pages' templates and stylesheet ship with the image");
    assert.match(read('.dockerignore'), /^\.env$/m, 'secrets stay out of the build context');
  });

  it('lets the unprivileged worker raise its mail thread to the priority it asks for', () => {
    // RLIMIT_NICE: an unprivileged thread may set its nice value down to 20 minus the limit.
    const limit = services['dura-worker']?.ulimits?.nice;
    const soft = typeof limit === 'object' ? limit.soft : limit;
    assert.ok(soft !== undefined, 'dura-worker sets ulimits.nice');
    assert.ok(20 - soft <= constants.priority.PRIORITY_HIGH, `nice down to ${20 - soft} only`);
  });
});
