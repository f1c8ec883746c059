// Validates docker-compose.yml without a Docker engine:
//  (a) `docker-compose config --quiet` when docker-compose is on PATH (scripts/ensure-compose-validator.sh installs it);
//  (b) always: the file against a subset of the compose-spec schema, plus GREENFOOD's own structural rules.
// Run: node --import tsx --test test/compose.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

const repoRoot = path.resolve(__dirname, '..');
const composePath = path.join(repoRoot, 'docker-compose.yml');
const dynamicConfigPath = path.join(repoRoot, 'temporal', 'dynamicconfig', 'docker.yaml');

const REQUIRED_SERVICES = [
  'postgresql', 'temporal', 'temporal-admin-tools', 'temporal-ui', 'redis', 'ollama',
  'migrate', 'worker-crews', 'worker-agents', 'worker-llm-local',
  'prometheus', 'grafana', 'jaeger', // observability; wiring checked in test/dashboard.test.ts
] as const;
const WORKER_ENTRY: Readonly<Record<string, string>> = {
  'worker-crews': 'src/workers/crews.ts',
  'worker-agents': 'src/workers/agents.ts',
  'worker-llm-local': 'src/workers/llm.ts',
};
// Entry files the lead is writing; asserted against this list, not the filesystem.
const KNOWN_ENTRY_FILES = new Set([...Object.values(WORKER_ENTRY), 'src/db/seed.ts']);
const SEARCH_ATTRIBUTES = ['Crew', 'ConsignorId', 'PriorityTier', 'BuyerTier', 'OrderId'] as const;
const APP_ENV: Readonly<Record<string, string>> = {
  TEMPORAL_ADDRESS: 'temporal:7233',
  REDIS_URL: 'redis://redis:6379',
  OLLAMA_URL: 'http://ollama:11434',
  LLM_MODEL: 'qwen3:8b',
};

// ---- helpers ------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, what: string): Obj {
  assert.ok(isObj(v), `${what} must be a mapping, got ${JSON.stringify(v)}`);
  return v;
}

function strings(v: unknown, what: string): string[] {
  const list: unknown[] = Array.isArray(v) ? v : [];
  assert.ok(Array.isArray(v) && list.every((x) => typeof x === 'string'), `${what} must be a list of strings`);
  return list.map((x) => String(x));
}

/** A scalar as a string (YAML may hand back numbers), or `fallback` when absent. */
function str(v: unknown, what: string, fallback?: string): string {
  if (v === undefined && fallback !== undefined) return fallback;
  assert.ok(typeof v === 'string' || typeof v === 'number', `${what} must be a scalar, got ${JSON.stringify(v)}`);
  return String(v);
}

function loadYaml(file: string, version: '1.1' | '1.2'): unknown {
  const doc = parseDocument(readFileSync(file, 'utf8'), { version, merge: true, prettyErrors: true });
  assert.deepEqual(doc.errors.map(String), [], `${path.relative(repoRoot, file)} must parse as YAML`);
  assert.deepEqual(doc.warnings.map(String), [], `${path.relative(repoRoot, file)} must parse without warnings`);
  return doc.toJS({ maxAliasCount: 1000 });
}

const compose = obj(loadYaml(composePath, '1.2'), 'docker-compose.yml');
const services = obj(compose.services, 'services');

function svc(name: string): Obj {
  assert.ok(name in services, `service ${name} must exist`);
  return obj(services[name], `services.${name}`);
}

/** Environment as a map, from either the mapping or the `KEY=VALUE` list form. */
function envOf(name: string): Record<string, string> {
  const env = svc(name).environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(strings(env, `${name}.environment`).map((kv) => {
      const i = kv.indexOf('=');
      return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(obj(env, `${name}.environment`)).map(([k, v]) => [k, String(v)]));
}

/** The command (or entrypoint + command) as argv words; a string form is split on whitespace. */
function argv(name: string, key: 'command' | 'entrypoint' = 'command'): string[] {
  const c = svc(name)[key];
  if (c === undefined) return [];
  if (typeof c === 'string') return c.trim().split(/\s+/);
  return strings(c, `${name}.${key}`);
}

/** depends_on as {service: condition}; the list form means service_started. */
function dependsOn(name: string): Record<string, string> {
  const d = svc(name).depends_on;
  if (d === undefined) return {};
  if (Array.isArray(d)) return Object.fromEntries(strings(d, `${name}.depends_on`).map((s) => [s, 'service_started']));
  return Object.fromEntries(Object.entries(obj(d, `${name}.depends_on`)).map(([s, spec]) => {
    const condition = obj(spec, `${name}.depends_on.${s}`).condition;
    return [s, typeof condition === 'string' ? condition : 'service_started'];
  }));
}

/** Container-side port numbers, short ("[ip:]host:container[/proto]") or long ({target}) syntax. */
function containerPorts(name: string): number[] {
  const ports = svc(name).ports;
  if (ports === undefined) return [];
  assert.ok(Array.isArray(ports), `${name}.ports must be a list`);
  return ports.map((p: unknown) => {
    if (isObj(p)) return Number(p.target);
    const last = String(p).split(':').pop() ?? '';
    return Number(last.split('/')[0]);
  });
}

interface Mount { type: 'bind' | 'volume'; source: string; target: string }

function mounts(name: string): Mount[] {
  const vols = svc(name).volumes;
  if (vols === undefined) return [];
  assert.ok(Array.isArray(vols), `${name}.volumes must be a list`);
  return vols.map((v: unknown): Mount => {
    if (isObj(v)) {
      const source = str(v.source, `${name}.volumes[].source`, '');
      const target = str(v.target, `${name}.volumes[].target`);
      return { type: v.type === 'bind' ? 'bind' : 'volume', source, target };
    }
    const parts = String(v).split(':');
    if (parts.length === 1) return { type: 'volume', source: '', target: parts[0] ?? '' }; // anonymous volume
    const source = parts[0] ?? '';
    const target = parts[1] ?? '';
    return { type: /^[./~]/.test(source) ? 'bind' : 'volume', source, target };
  });
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    const p = path.join(dir, cmd);
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: repoRoot, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

// ---- (a) the real validator -----------------------------------------------------------------------

void test('docker-compose config accepts docker-compose.yml', async () => {
  // scripts/test.sh installs it (scripts/ensure-compose-validator.sh); without it this check fails, never passes silently.
  assert.ok(onPath('docker-compose'), 'docker-compose not on PATH: run scripts/ensure-compose-validator.sh');
  const { code, stderr } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '--quiet']);
  assert.equal(code, 0, `docker-compose config failed:\n${stderr}`);
  assert.doesNotMatch(stderr, /variable is not set/i, 'every ${VAR} in docker-compose.yml needs a default');
});

void test('the GPU override merges onto the base stack and gives Ollama an NVIDIA GPU', async () => {
  const override = obj(parseDocument(readFileSync(path.join(repoRoot, 'docker-compose.gpu.yml'), 'utf8')).toJS(), 'docker-compose.gpu.yml');
  const ollama = obj(obj(override.services, 'services').ollama, 'services.ollama');
  const devices = obj(obj(obj(ollama.deploy, 'deploy').resources, 'deploy.resources').reservations, 'deploy.resources.reservations').devices;
  assert.ok(Array.isArray(devices) && devices.length === 1);
  assert.equal(obj(devices[0], 'device').driver, 'nvidia');
  assert.ok(onPath('docker-compose'), 'docker-compose not on PATH: run scripts/ensure-compose-validator.sh');
  const { code, stdout, stderr } = await run('docker-compose', ['-f', 'docker-compose.yml', '-f', 'docker-compose.gpu.yml', 'config']);
  assert.equal(code, 0, `docker-compose config failed:\n${stderr}`);
  assert.match(stdout, /driver: nvidia/);
});

// ---- (b) compose-spec subset (what docker-compose 1.29's schema allows) ------------------------------

const TOP_LEVEL_KEYS = new Set(['version', 'services', 'networks', 'volumes', 'secrets', 'configs']);
const SERVICE_KEYS = new Set([
  'blkio_config', 'build', 'cap_add', 'cap_drop', 'cgroup_parent', 'command', 'configs', 'container_name',
  'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpu_shares', 'cpus',
  'cpuset', 'credential_spec', 'depends_on', 'deploy', 'device_cgroup_rules', 'devices', 'dns', 'dns_opt',
  'dns_search', 'domainname', 'entrypoint', 'env_file', 'environment', 'expose', 'extends', 'external_links',
  'extra_hosts', 'group_add', 'healthcheck', 'hostname', 'image', 'init', 'ipc', 'isolation', 'labels', 'links',
  'logging', 'mac_address', 'mem_limit', 'mem_reservation', 'mem_swappiness', 'memswap_limit', 'network_mode',
  'networks', 'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform', 'ports', 'privileged',
  'profiles', 'pull_policy', 'read_only', 'restart', 'runtime', 'scale', 'secrets', 'security_opt', 'shm_size',
  'stdin_open', 'stop_grace_period', 'stop_signal', 'storage_opt', 'sysctls', 'tmpfs', 'tty', 'ulimits', 'user',
  'userns_mode', 'volumes', 'volumes_from', 'working_dir',
]);
const HEALTHCHECK_KEYS = new Set(['disable', 'interval', 'retries', 'test', 'timeout', 'start_period']);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);

void test('docker-compose.yml stays within the compose-spec schema docker-compose 1.29 accepts', () => {
  for (const key of Object.keys(compose)) {
    assert.ok(TOP_LEVEL_KEYS.has(key) || key.startsWith('x-'), `unknown top-level key ${key}`);
  }
  const declaredVolumes = new Set(Object.keys(compose.volumes === undefined || compose.volumes === null ? {} : obj(compose.volumes, 'volumes')));
  for (const name of Object.keys(services)) {
    assert.match(name, /^[a-zA-Z0-9._-]+$/, `service name ${name}`);
    const s = svc(name);
    for (const key of Object.keys(s)) {
      assert.ok(SERVICE_KEYS.has(key) || key.startsWith('x-'), `services.${name}: unknown key ${key}`);
    }
    assert.ok(typeof s.image === 'string' || s.build !== undefined, `services.${name} needs image or build`);
    if (s.restart !== undefined) {
      // An unquoted `no` is YAML 1.1's false to docker-compose 1.29, so it must be the string "no".
      assert.ok(typeof s.restart === 'string', `services.${name}.restart must be a string (quote "no")`);
      assert.match(s.restart, /^(no|always|unless-stopped|on-failure(:\d+)?)$/, `services.${name}.restart`);
    }
    if (s.healthcheck !== undefined) {
      const hc = obj(s.healthcheck, `services.${name}.healthcheck`);
      for (const key of Object.keys(hc)) assert.ok(HEALTHCHECK_KEYS.has(key), `services.${name}.healthcheck: unknown key ${key}`);
      for (const key of ['interval', 'timeout', 'start_period'] as const) {
        if (hc[key] !== undefined) assert.match(str(hc[key], key), /^(\d+(\.\d+)?(us|ms|s|m|h))+$/, `services.${name}.healthcheck.${key}`);
      }
    }
    for (const [dep, condition] of Object.entries(dependsOn(name))) {
      assert.ok(dep in services, `services.${name} depends on unknown service ${dep}`);
      assert.ok(CONDITIONS.has(condition), `services.${name}.depends_on.${dep}: bad condition ${condition}`);
      if (condition === 'service_healthy') {
        assert.ok(svc(dep).healthcheck !== undefined, `${name} waits for ${dep} to be healthy, so ${dep} needs a healthcheck`);
      }
    }
    for (const m of mounts(name)) {
      if (m.type === 'volume' && m.source !== '') {
        assert.ok(declaredVolumes.has(m.source), `services.${name} uses volume ${m.source}, which is not declared under volumes:`);
      }
    }
  }
});

/** Paths where two parses of the same file disagree. */
function yamlDiff(a: unknown, b: unknown, at: string, out: string[]): string[] {
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) yamlDiff(a[k], b[k], `${at}.${k}`, out);
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => yamlDiff(x, b[i], `${at}[${i}]`, out));
  } else if (!Object.is(a, b)) {
    out.push(`${at}: ${JSON.stringify(a)} (YAML 1.2) vs ${JSON.stringify(b)} (YAML 1.1)`);
  }
  return out;
}

void test('docker-compose.yml means the same in YAML 1.1 (docker-compose 1.29) and YAML 1.2 (compose v2)', () => {
  // PyYAML reads an unquoted `no`/`on` as a boolean and `11434:11434` as a base-60 number; quote such scalars.
  const v11 = loadYaml(composePath, '1.1');
  // The yaml package's 1.1 float also matches a lone "." (PyYAML's does not), so `context: .` is not a finding.
  const findings = yamlDiff(compose, v11, '', []).filter((f) => !/: "\." \(YAML 1\.2\) vs null \(YAML 1\.1\)$/.test(f));
  assert.deepEqual(findings, []);
});

void test('depends_on has no cycles', () => {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    assert.notEqual(state.get(name), 'visiting', `depends_on cycle: ${[...trail, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dep of Object.keys(dependsOn(name))) visit(dep, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(services)) visit(name, []);
});

// ---- (b) GREENFOOD's stack ---------------------------------------------------------------------------

void test('the base stack services exist', () => {
  for (const name of REQUIRED_SERVICES) svc(name);
});

void test('postgresql: postgres 16 with the app database and a healthcheck', () => {
  assert.match(String(svc('postgresql').image), /^postgres:16(\b|$)/);
  assert.equal(envOf('postgresql').POSTGRES_DB, 'greenfood');
  assert.ok(svc('postgresql').healthcheck !== undefined, 'postgresql needs a healthcheck');
  assert.ok(mounts('postgresql').some((m) => m.type === 'volume' && m.target === '/var/lib/postgresql/data'), 'postgres data on a named volume');
});

void test('temporal: auto-setup 1.29 on postgres, after postgresql is healthy, port 7233', () => {
  assert.match(String(svc('temporal').image), /^temporalio\/auto-setup:1\.29(\.\d+)?$/);
  const env = envOf('temporal');
  assert.equal(env.DB, 'postgres12');
  assert.equal(env.POSTGRES_SEEDS, 'postgresql');
  assert.equal(env.DB_PORT, '5432', 'auto-setup defaults DB_PORT to 3306');
  assert.equal(env.POSTGRES_USER, envOf('postgresql').POSTGRES_USER, 'temporal logs in as the postgres user');
  assert.equal(env.POSTGRES_PWD, envOf('postgresql').POSTGRES_PASSWORD, 'temporal uses the postgres password');
  assert.equal(dependsOn('temporal').postgresql, 'service_healthy');
  assert.ok(containerPorts('temporal').includes(7233), 'temporal publishes 7233');
});

void test('temporal reads the repo dynamic config through a bind mount', () => {
  const rel = envOf('temporal').DYNAMIC_CONFIG_FILE_PATH;
  assert.ok(rel, 'DYNAMIC_CONFIG_FILE_PATH must be set');
  const inContainer = path.posix.resolve('/etc/temporal', rel); // the image's working directory
  const mount = mounts('temporal').find((m) => m.type === 'bind' && (inContainer === m.target || inContainer.startsWith(`${m.target}/`)));
  assert.ok(mount, `no bind mount covers ${inContainer}`);
  const onHost = path.resolve(repoRoot, mount.source, path.posix.relative(mount.target, inContainer));
  assert.equal(onHost, dynamicConfigPath, 'DYNAMIC_CONFIG_FILE_PATH must resolve to temporal/dynamicconfig/docker.yaml');
});

void test('dynamic config parses and enables fairness and the new matcher', () => {
  const dc = obj(loadYaml(dynamicConfigPath, '1.2'), 'dynamic config');
  for (const [key, entries] of Object.entries(dc)) {
    assert.ok(Array.isArray(entries) && entries.length > 0, `${key} must be a non-empty list of {value, constraints}`);
    for (const e of entries) {
      const entry = obj(e, key);
      assert.ok('value' in entry, `${key}: every entry needs a value`);
      for (const k of Object.keys(entry)) assert.ok(k === 'value' || k === 'constraints', `${key}: unknown field ${k}`);
      if (entry.constraints !== undefined) obj(entry.constraints, `${key}.constraints`);
    }
  }
  for (const key of ['matching.enableFairness', 'matching.useNewMatcher']) {
    const entries = dc[key];
    assert.ok(Array.isArray(entries), `${key} must be set`);
    const global = entries.map((e) => obj(e, key)).find((e) => e.constraints === undefined || Object.keys(obj(e.constraints, key)).length === 0);
    assert.ok(global, `${key} needs an unconstrained entry`);
    assert.equal(global.value, true, `${key} must be true`);
  }
});

void test('temporal-admin-tools registers every search attribute as Keyword, once', () => {
  const name = 'temporal-admin-tools';
  const script = [...argv(name, 'entrypoint'), ...argv(name)].join(' ');
  const registered = new Map<string, string>();
  for (const m of script.matchAll(/search-attribute create\b[^\n]*?--name[ =]+(\w+)[^\n]*?--type[ =]+(\w+)/g)) {
    registered.set(m[1] ?? '', m[2] ?? '');
  }
  for (const sa of SEARCH_ATTRIBUTES) assert.equal(registered.get(sa), 'Keyword', `search attribute ${sa} must be created as Keyword`);
  const address = envOf(name).TEMPORAL_ADDRESS ?? /--address[ =]+(\S+)/.exec(script)?.[1];
  assert.equal(address, 'temporal:7233');
  assert.equal(svc(name).restart, 'no', 'a one-shot job must not restart');
  assert.ok(dependsOn(name).temporal, 'admin tools wait for temporal');
});

void test('temporal-ui points at temporal and serves on 8080', () => {
  assert.match(String(svc('temporal-ui').image), /^temporalio\/ui(:|$)/);
  assert.equal(envOf('temporal-ui').TEMPORAL_ADDRESS, 'temporal:7233');
  assert.ok(envOf('temporal-ui').TEMPORAL_CORS_ORIGINS, 'TEMPORAL_CORS_ORIGINS must be set');
  assert.ok(containerPorts('temporal-ui').includes(8080));
});

void test('redis 7 and ollama with 4 parallel slots and a models volume', () => {
  assert.match(String(svc('redis').image), /^redis:7(\b|$)/);
  assert.match(String(svc('ollama').image), /^ollama\/ollama(:|$)/);
  assert.equal(envOf('ollama').OLLAMA_NUM_PARALLEL, '4');
  assert.ok(mounts('ollama').some((m) => m.type === 'volume' && m.target === '/root/.ollama'), 'models on a named volume');
  const deploy = svc('ollama').deploy;
  if (deploy !== undefined) {
    const devices = obj(obj(obj(deploy, 'deploy').resources, 'deploy.resources').reservations, 'deploy.resources.reservations').devices;
    assert.ok(Array.isArray(devices));
    for (const d of devices) {
      const dev = obj(d, 'device');
      assert.equal(dev.driver, 'nvidia');
      assert.ok(strings(dev.capabilities, 'capabilities').includes('gpu'));
    }
  }
});

void test('every build: points at a Dockerfile that exists', () => {
  const built = Object.keys(services).filter((n) => svc(n).build !== undefined);
  assert.ok(built.length > 0, 'the app services are built from the repo');
  for (const name of built) {
    const b = svc(name).build;
    const spec = typeof b === 'string' ? { context: b } : obj(b, `${name}.build`);
    const context = path.resolve(repoRoot, str(spec.context, `${name}.build.context`, '.'));
    const dockerfile = path.resolve(context, str(spec.dockerfile, `${name}.build.dockerfile`, 'Dockerfile'));
    assert.ok(existsSync(dockerfile) && statSync(dockerfile).isFile(), `${name}: ${path.relative(repoRoot, dockerfile)} must exist`);
  }
});

void test('every bind-mounted host path exists in the repo', () => {
  for (const name of Object.keys(services)) {
    for (const m of mounts(name).filter((x) => x.type === 'bind')) {
      assert.doesNotMatch(m.source, /\$\{/, `${name}: bind source ${m.source} must not depend on variables`);
      const onHost = path.resolve(repoRoot, m.source);
      assert.ok(onHost.startsWith(`${repoRoot}${path.sep}`), `${name}: ${m.source} must be inside the repo`);
      assert.ok(existsSync(onHost), `${name}: ${m.source} must exist`);
    }
  }
});

void test('app services share the image and the app environment', () => {
  const appServices = ['migrate', ...Object.keys(WORKER_ENTRY)];
  for (const name of appServices) {
    assert.ok(svc(name).build !== undefined, `${name} is built from the repo Dockerfile`);
    const env = envOf(name);
    for (const [k, v] of Object.entries(APP_ENV)) assert.equal(env[k], v, `${name}.environment.${k}`);
    assert.match(env.DATABASE_URL ?? '', /^postgres(ql)?:\/\/[^@]+@postgresql:5432\/greenfood$/, `${name}.environment.DATABASE_URL`);
    assert.match(env.TEMPORAL_UI_URL ?? '', /^http:\/\/localhost:(8080|8233|\$\{TEMPORAL_UI_PORT:-8080\})$/, `${name}.environment.TEMPORAL_UI_URL`);
  }
});

void test('migrate runs the migrations then the seed, once', () => {
  const cmd = argv('migrate').join(' ');
  assert.match(cmd, /node-pg-migrate\b.*-m migrations\b.*\bup\b/);
  assert.match(cmd, /tsx src\/db\/seed\.ts/);
  assert.ok(cmd.indexOf('node-pg-migrate') < cmd.indexOf('seed.ts'), 'seed after migrations');
  assert.equal(svc('migrate').restart, 'no');
  assert.equal(dependsOn('migrate').postgresql, 'service_healthy');
});

void test('every worker waits for migrate to succeed and for temporal', () => {
  const workers = Object.keys(services).filter((n) => n.startsWith('worker-'));
  assert.deepEqual(workers.sort(), Object.keys(WORKER_ENTRY).sort());
  for (const name of workers) {
    const deps = dependsOn(name);
    assert.equal(deps.migrate, 'service_completed_successfully', `${name} waits for migrate to exit 0`);
    assert.ok(deps.temporal === 'service_started' || deps.temporal === 'service_healthy', `${name} waits for temporal`);
  }
});

void test('app commands name only known entry files, and each worker its own', () => {
  for (const name of ['migrate', ...Object.keys(WORKER_ENTRY)]) {
    const files = argv(name).join(' ').match(/\bsrc\/[\w./-]+\.ts\b/g) ?? [];
    assert.ok(files.length > 0, `${name} runs a TypeScript entry file`);
    for (const f of files) assert.ok(KNOWN_ENTRY_FILES.has(f), `${name} runs ${f}, which is not a known entry file`);
  }
  for (const [name, entry] of Object.entries(WORKER_ENTRY)) {
    assert.deepEqual(argv(name).slice(0, 3), ['npx', 'tsx', entry], `${name} command`);
  }
  const llm = argv('worker-llm-local').join(' ');
  for (const flag of ['--pool local', '--ollama-url http://ollama:11434', '--parallel 4']) assert.ok(llm.includes(flag), `worker-llm-local needs ${flag}`);
});

void test('the image gets what the commands run (dependencies, not devDependencies)', () => {
  const pkg = obj(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')), 'package.json');
  const deps = obj(pkg.dependencies, 'dependencies');
  for (const p of ['tsx', 'node-pg-migrate']) assert.ok(p in deps, `${p} must be a runtime dependency: the image runs npm ci --omit=dev`);
  const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^FROM node:20-slim\b/m);
  assert.match(dockerfile, /\bnpm ci\b/);
  const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim().replace(/^\/|\/$/g, ''));
  for (const p of ['node_modules', '.tools', '.data', 'results', '.git']) assert.ok(ignored.includes(p), `.dockerignore must list ${p}`);
});
