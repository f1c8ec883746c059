/**
 * Starts what a benchmark scenario drives: the real platform, nothing mocked. A Temporal dev server
 * (its own, on free ports and a throwaway SQLite file, unless --temporal names one), a dedicated
 * Postgres database (created, migrated and seeded unless --database-url names one), Redis, and the
 * production workers in this process: crews, agents, one LLM worker per local GPU pool with its own
 * simulator node, and a cloud LLM worker speaking the OpenAI protocol to a simulator of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createDb, type Db } from '../src/db/pool';
import { createRedis, type RedisClient } from '../src/db/redis';
import { startLlmSimulator, type LlmSimulator } from '../src/llm-sim/server';
import { OllamaProvider, OpenAiCompatibleProvider } from '../src/llm/providers';
import { crewBundleOptions } from '../src/observability/interceptors';
import { loadConfig, type Config } from '../src/config';
import { createAgentsWorker, createCrewsWorker, createLlmWorker } from '../src/workers/factories';
import { llmWorkerExtras, routerDeps } from '../src/workers/runtime';

const ROOT = path.resolve(__dirname, '..');
export const NAMESPACE = 'default';
export const LOCAL_MODEL = 'qwen3:8b';
export const CLOUD_MODEL = 'deepseek-chat';

export type Log = (message: string) => void;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a project script; its output is kept and shown only when it fails. */
function run(cmd: string, args: string[], env: Record<string, string>, log: Log): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        log(output.trim());
        reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`));
      }
    });
  });
}

export interface InfraOptions {
  /** host:port of a running Temporal server to use instead of starting one. */
  temporal?: string;
  /** A migrated and seeded database to use instead of creating `dbName`. */
  databaseUrl?: string;
  dbName: string;
  redisUrl: string;
  log: Log;
}

export interface Infra {
  temporalAddress: string;
  redisUrl: string;
  /** The dev server's pid when the bench started it (for its CPU time); undefined when reused. */
  temporalPid?: number;
  databaseUrl: string;
  db: Db;
  redis: RedisClient;
  client: Client;
  native: NativeConnection;
  /** The Temporal SDK's Prometheus endpoint in this process (workflow cache metrics), when installable. */
  sdkMetricsUrl?: string;
  /** Workflow code bundled once per process; `plain` leaves out the tracing/crew-metrics interceptors. */
  bundle(plain?: boolean): Promise<WorkflowBundleWithSourceMap>;
  close(): Promise<void>;
}

/**
 * Unhandled promise rejections raised by platform code while the bench runs. Node would end the
 * process on the first; the bench counts and reports them instead, so one stray rejection (a
 * worker-side bug worth fixing) does not throw away a whole measurement.
 */
export const processFaults = { unhandledRejections: 0, samples: [] as string[] };
let faultHandlerInstalled = false;

function installFaultCounter(log: Log) {
  if (faultHandlerInstalled) return;
  faultHandlerInstalled = true;
  process.on('unhandledRejection', (reason) => {
    processFaults.unhandledRejections++;
    const text = reason instanceof Error ? `${reason.message} @ ${(reason.stack ?? '').split('\n').slice(1, 4).join(' <')}` : String(reason);
    if (processFaults.samples.length < 5) {
      processFaults.samples.push(text.slice(0, 400));
      log(`unhandled promise rejection in platform code (counted, reported): ${text.slice(0, 300)}`);
    }
  });
}

let runtimeMetricsUrl: string | undefined;
let runtimeInstalled = false;

/** Must run before the first NativeConnection: Runtime.install is allowed once per process. */
async function installRuntime(log: Log): Promise<string | undefined> {
  if (runtimeInstalled) return runtimeMetricsUrl;
  runtimeInstalled = true;
  const port = await freePort();
  const quiet = new (class {
    log() {} trace() {} debug() {} info() {} warn() {}
    error(message: string, meta?: Record<string, unknown>) { console.error(message, meta ?? ''); }
  })();
  try {
    Runtime.install({
      logger: quiet,
      telemetryOptions: {
        logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} },
        metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } },
      },
    });
    runtimeMetricsUrl = `http://127.0.0.1:${port}/metrics`;
  } catch (err) {
    // Someone in this process installed the runtime first: the bench runs, without cache metrics.
    log(`Temporal runtime already installed (${(err as Error).message}); workflow cache metrics unavailable`);
  }
  return runtimeMetricsUrl;
}

export async function startInfra(options: InfraOptions): Promise<Infra> {
  const { log } = options;
  installFaultCounter(log);
  const sdkMetricsUrl = await installRuntime(log);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch((err: Error) => log(`cleanup: ${err.message}`));
  };
  try {
    let temporalAddress = options.temporal;
    let temporalPid: number | undefined;
    if (!temporalAddress) {
      const state = await mkdtemp(path.join(os.tmpdir(), 'greenfood-bench-'));
      const port = await freePort();
      const env = {
        TEMPORAL_PORT: String(port), TEMPORAL_UI_PORT: String(await freePort()),
        TEMPORAL_DB_FILE: path.join(state, 't.db'), TEMPORAL_SQLITE_SYNC: 'OFF',
      };
      log(`starting a Temporal dev server on 127.0.0.1:${port} (state in ${state})`);
      cleanups.push(async () => {
        await run('bash', ['temporal/dev-server.sh', 'stop'], env, log);
        await rm(state, { recursive: true, force: true });
      });
      await run('bash', ['temporal/dev-server.sh', 'start'], env, log);
      temporalAddress = `127.0.0.1:${port}`;
      temporalPid = Number((await readFile(path.join(state, `temporal-${port}.pid`), 'utf8')).trim()) || undefined;
      const pid = temporalPid;
      // Even a crash of this process must not leave the dev server behind.
      process.once('exit', () => {
        if (pid) try { process.kill(pid); } catch { /* already gone */ }
        rmSync(state, { recursive: true, force: true });
      });
    }

    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      databaseUrl = `postgres://postgres@127.0.0.1:5432/${options.dbName}`;
      log(`creating database ${options.dbName} (fresh), migrating and seeding`);
      await run('bash', ['scripts/create-db.sh', options.dbName, '--fresh'], {}, log);
      await run('npx', ['tsx', 'src/db/seed.ts'], { DATABASE_URL: databaseUrl }, log);
    }

    // Agent tools hold a connection each while they run; the pool stays well under Postgres'
    // 100 connections, which other test runs on the machine share.
    const db = createDb(databaseUrl, 30, 'greenfood-bench');
    cleanups.push(() => db.end());
    const redis = createRedis(options.redisUrl, 'greenfood-bench');
    cleanups.push(async () => redis.disconnect());
    const connection = await Connection.connect({ address: temporalAddress });
    cleanups.push(() => connection.close());
    const native = await NativeConnection.connect({ address: temporalAddress });
    cleanups.push(() => native.close());
    const client = new Client({ connection, namespace: NAMESPACE });

    const bundles = new Map<boolean, Promise<WorkflowBundleWithSourceMap>>();
    const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    return {
      temporalAddress, redisUrl: options.redisUrl, temporalPid, databaseUrl, db, redis, client, native, sdkMetricsUrl,
      bundle(plain = false) {
        // By default the bundle production crew workers run: tracing and crew-metrics interceptors included.
        let b = bundles.get(plain);
        if (!b) {
          b = bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), ...(plain ? {} : crewBundleOptions()), logger: silent });
          bundles.set(plain, b);
        }
        return b;
      },
      close: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

// ---- workers and GPU pools ------------------------------------------------------------------------

export interface PoolOptions {
  /** Local GPU pools, each one LLM worker + one simulator node. */
  nodes: number;
  /** Parallel slots per node (OLLAMA_NUM_PARALLEL) = the pool worker's activity concurrency. */
  slots: number;
  latencyMs: number;
  msPerToken: number;
  cloudSlots: number;
  cloudLatencyMs: number;
  /** Crew worker's workflow cache size; the SDK's default (from the heap size) when undefined. */
  maxCachedWorkflows?: number;
  /**
   * Where the crews worker runs: in this process (default), or as its own process started from the
   * production entry point (src/workers/crews.ts), so its memory and cache can be measured alone.
   */
  crewsIn?: 'process' | 'child';
  /** Heap limit of the crews worker process (--max-old-space-size), as a container limit would set it. */
  childHeapMiB?: number;
  /** Worker tuning of the in-process crews worker, to measure what it changes. */
  crewsTuning?: CrewsTuning;
}

export interface CrewsTuning {
  /** maxConcurrentWorkflowTaskExecutions (SDK default 40). */
  wftSlots?: number;
  /** workflowThreadPoolSize (SDK default 1 with reuseV8Context). */
  workflowThreads?: number;
  /** Bundle without the tracing and crew-metrics workflow interceptors. */
  plainWorkflows?: boolean;
}

interface Running {
  worker: Worker;
  done: Promise<void>;
}

export interface LocalPool {
  name: string;
  sim: LlmSimulator;
  alive: boolean;
  running: Running;
}

export interface Pools {
  local: LocalPool[];
  cloud: { name: 'cloud'; sim: LlmSimulator; running: Running };
  /** The in-process crews worker; undefined when it runs as a child process. */
  crews?: Worker;
  crewsChild?: ChildCrewsWorker;
  agents: Worker;
  /** Kills a local pool as a node dies: its model server goes away and its worker stops. */
  kill(index: number): Promise<void>;
  /** Brings a killed pool back on a fresh node (same pool name). */
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
}

function runWorker(worker: Worker, log: Log, label: string): Running {
  const done = worker.run().catch((err: Error) => log(`${label} worker stopped with an error: ${err.message}`));
  return { worker, done };
}

async function stopRunning(r: Running): Promise<void> {
  if (r.worker.getState() === 'RUNNING') r.worker.shutdown();
  await r.done;
}

/**
 * Workers wired exactly as the production entry points wire them (router, pool health, LLM cache,
 * fairness weights: `src/workers/runtime.ts`), with the configuration's defaults, except for a
 * Redis key prefix of the run's own, so no other process's pools are ever routed to.
 */
export async function startPools(infra: Infra, options: PoolOptions, log: Log, redisPrefix: string): Promise<Pools> {
  const config: Config = { ...loadConfig(), REDIS_PREFIX: redisPrefix };
  const base = { connection: infra.native, namespace: NAMESPACE };
  const crewsChild = options.crewsIn === 'child' ? await startChildCrewsWorker(infra, redisPrefix, log, options.childHeapMiB) : undefined;
  const crews = crewsChild ? undefined : await createCrewsWorker({ ...base, router: routerDeps(config, infra.redis) }, {
    workflowBundle: await infra.bundle(options.crewsTuning?.plainWorkflows),
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.crewsTuning?.wftSlots !== undefined ? { maxConcurrentWorkflowTaskExecutions: options.crewsTuning.wftSlots } : {}),
    ...(options.crewsTuning?.workflowThreads !== undefined ? { workflowThreadPoolSize: options.crewsTuning.workflowThreads } : {}),
  });
  const agents = await createAgentsWorker({ ...base, db: infra.db, readDb: infra.db, redis: infra.redis, fairnessWeights: config.FAIRNESS_WEIGHTS });
  const startLocal = async (i: number): Promise<LocalPool> => {
    const name = `local-${i}`;
    const sim = await startLlmSimulator({ port: 0, parallel: options.slots, latencyMs: options.latencyMs, msPerToken: options.msPerToken, name: `bench-${name}`, models: [LOCAL_MODEL] });
    const worker = await createLlmWorker({
      ...base, db: infra.db, pool: name, parallel: options.slots, provider: new OllamaProvider(sim.url, LOCAL_MODEL, 60_000),
      ...llmWorkerExtras(config, infra.redis, name),
    });
    return { name, sim, alive: true, running: runWorker(worker, log, name) };
  };
  const running: Running[] = [...(crews ? [runWorker(crews, log, 'crews')] : []), runWorker(agents, log, 'agents')];
  const local: LocalPool[] = [];
  for (let i = 0; i < options.nodes; i++) local.push(await startLocal(i));
  const cloudSim = await startLlmSimulator({ port: 0, parallel: options.cloudSlots, latencyMs: options.cloudLatencyMs, msPerToken: options.msPerToken, name: 'bench-cloud', models: [CLOUD_MODEL] });
  const cloudWorker = await createLlmWorker({
    ...base, db: infra.db, pool: 'cloud', parallel: options.cloudSlots,
    provider: new OpenAiCompatibleProvider(`${cloudSim.url}/v1`, 'sim', CLOUD_MODEL, 60_000),
    ...llmWorkerExtras(config, infra.redis, 'cloud'),
  });
  const cloud = { name: 'cloud' as const, sim: cloudSim, running: runWorker(cloudWorker, log, 'cloud') };

  const kill = async (index: number) => {
    const pool = local[index];
    if (!pool?.alive) return;
    pool.alive = false;
    await Promise.all([pool.sim.close(), stopRunning(pool.running)]);
  };
  return {
    local, cloud, crews, crewsChild, agents, kill,
    async restart(index: number) {
      if (local[index]?.alive) return;
      local[index] = await startLocal(index);
    },
    async stop() {
      // Let activities already running finish before the workers go: a shutdown cancels them,
      // which is a node dying (node-loss does that on purpose), not the end of a scenario.
      const workers = [agents, cloud.running.worker, ...local.filter((p) => p.alive).map((p) => p.running.worker)];
      const idleBy = Date.now() + 15_000;
      while (workers.some((w) => w.getStatus().numInFlightActivities > 0) && Date.now() < idleBy) await new Promise((r) => setTimeout(r, 100));
      await Promise.all(local.map((_, i) => kill(i)));
      await stopRunning(cloud.running);
      await cloud.sim.close();
      await Promise.all(running.map(stopRunning));
      await crewsChild?.stop();
    },
  };
}

// ---- the crews worker as its own process ------------------------------------------------------------

export interface ChildCrewsWorker {
  pid: number;
  /** Its Temporal SDK Prometheus endpoint (workflow cache metrics). */
  sdkMetricsUrl: string;
  /** Resident set size now, from /proc (synchronous, cheap enough to sample every 50 ms). */
  rssMiB(): number;
  stop(): Promise<void>;
}

function rssOfPid(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * `src/workers/crews.ts` exactly as production starts it (it bundles the workflows itself), with
 * the run's Redis prefix, GREENFOOD's /metrics off and the SDK's Prometheus metrics on a free port.
 * Ready once the SDK reports a workflow-task poller.
 */
export async function startChildCrewsWorker(infra: Infra, redisPrefix: string, log: Log, heapMiB?: number): Promise<ChildCrewsWorker> {
  const sdkPort = await freePort();
  const sdkMetricsUrl = `http://127.0.0.1:${sdkPort}/metrics`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/workers/crews.ts'], {
    cwd: ROOT,
    env: {
      ...process.env, TEMPORAL_ADDRESS: infra.temporalAddress, TEMPORAL_NAMESPACE: NAMESPACE, REDIS_URL: infra.redisUrl,
      REDIS_PREFIX: redisPrefix, METRICS_PORT: '0', SDK_METRICS_PORT: String(sdkPort), LOG_LEVEL: 'warn',
      ...(heapMiB ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${heapMiB}`.trim() } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (d: Buffer) => { tail = (tail + d.toString()).slice(-4000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  const killOnExit = () => { if (!exited) child.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited) throw new Error(`crews worker process exited during start-up: ${tail.trim().slice(-1500)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`crews worker process not polling after 180 s: ${tail.trim().slice(-1500)}`);
    }
    const text = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(1000) }).then((r) => r.text()).catch(() => '');
    if (/num_pollers\{[^}]*poller_type="workflow_task"[^}]*\} [1-9]/.test(text)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`crews worker running as its own process (pid ${child.pid})`);
  return {
    pid: child.pid!,
    sdkMetricsUrl,
    rssMiB: () => rssOfPid(child.pid!),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      await Promise.race([exit, new Promise((r) => setTimeout(r, 30_000))]);
      if (!exited) child.kill('SIGKILL');
      await exit;
      process.off('exit', killOnExit);
    },
  };
}

// ---- process CPU, for "where is the time spent" -------------------------------------------------

const CLK_TCK = 100;

async function procCpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

async function postgresCpuSeconds(): Promise<number> {
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = (await readFile(`/proc/${entry}/comm`, 'utf8')).trim();
      if (comm !== 'postgres') continue;
      total += (await procCpuSeconds(Number(entry))) ?? 0;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

async function machineCpu(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (line[3] ?? 0) + (line[4] ?? 0);
  const total = line.reduce((s, v) => s + v, 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

export interface CpuSnapshot {
  at: number;
  bench: number;
  temporal?: number;
  postgres: number;
  machineBusy: number;
  machineTotal: number;
}

export async function cpuSnapshot(temporalPid?: number): Promise<CpuSnapshot> {
  const u = process.cpuUsage();
  const m = await machineCpu();
  return {
    at: Date.now(),
    bench: (u.user + u.system) / 1e6,
    temporal: temporalPid ? await procCpuSeconds(temporalPid) : undefined,
    postgres: await postgresCpuSeconds(),
    machineBusy: m.busy,
    machineTotal: m.total,
  };
}

/** CPU cores used on average between two snapshots, per consumer. */
export function cpuSplit(a: CpuSnapshot, b: CpuSnapshot): Record<string, number | null> {
  const wall = Math.max(0.001, (b.at - a.at) / 1000);
  const cores = os.cpus().length;
  const machine = (b.machineBusy - a.machineBusy) / wall;
  const bench = (b.bench - a.bench) / wall;
  const temporal = a.temporal !== undefined && b.temporal !== undefined ? (b.temporal - a.temporal) / wall : null;
  const postgres = (b.postgres - a.postgres) / wall;
  return {
    cores,
    machineBusyCores: machine,
    benchProcessCores: bench,
    temporalServerCores: temporal,
    postgresCores: postgres,
    otherCores: Math.max(0, machine - bench - (temporal ?? 0) - postgres),
  };
}
