/**
 * npm run bench -- <scenario[,scenario…]|all> [options]
 *
 * Drives the real platform (Temporal, Postgres, Redis, production workers) against the LLM
 * simulator configured as N nodes × parallel slots × latency, prints a table per scenario and
 * writes JSON + SVG to results/bench/. Everything listens on 127.0.0.1, is bounded in count and
 * time, and stops by itself.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Driver } from './load';
import { startInfra, type Infra, type Log } from './platform';
import { formatTable, writeResult, type ScenarioResult, type WrittenFiles } from './report';
import type { BenchOptions } from './scenario';
import { SCENARIOS, scenarioByName } from './scenarios';

export const USAGE = `usage: npm run bench -- <scenario[,scenario...]|all> [options]

scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}

options:
  --short              CI mode: small counts, each scenario well under a minute
  --nodes N            local GPU pools (one simulator node + one LLM worker each)
  --slots N            parallel slots per node (OLLAMA_NUM_PARALLEL)
  --latency-ms N       simulated generation latency per LLM call
  --ms-per-token N     extra latency per output token
  --cloud-slots N      parallel slots of the cloud pool (default 32)
  --cloud-latency-ms N latency of the cloud pool (default: --latency-ms)
  --crews N            crews in flight (closed loop) or crews to open (in-flight)
  --duration-s N       length of the load phase
  --routing R          auto | pinned | router (auto: the platform's router when it has one)
  --max-cached N       crews worker's maxCachedWorkflows (default: the SDK's, from the heap)
  --worker-heap-mib N  in-flight: --max-old-space-size of the crews worker process (a container limit)
  --history-sample N   crews whose Temporal history is analysed (orchestration share)
  --wft-slots N        crews worker maxConcurrentWorkflowTaskExecutions (tuning experiment)
  --workflow-threads N crews worker workflowThreadPoolSize (tuning experiment)
  --plain-workflows    workflows bundled without the tracing/metrics interceptors (tuning experiment)
  --seed N             order-mix seed (default 1)
  --json-only          print only the results as JSON on stdout
  --out DIR            results folder (default results/bench)
  --temporal ADDR      use this Temporal server instead of starting a dev server
  --database-url URL   use this migrated+seeded database instead of creating greenfood_bench
  --redis-url URL      Redis (default $REDIS_URL or redis://127.0.0.1:6379/0)
`;

export interface BenchRunOptions {
  scenarios: string[];
  options: BenchOptions;
  outDir: string;
  temporal?: string;
  databaseUrl?: string;
  redisUrl: string;
  log: Log;
  command: string;
  /** Called with each scenario's result as soon as it is written. */
  onResult?: (result: ScenarioResult, files: WrittenFiles) => void;
}

let current: { infra?: Infra; driver?: Driver } = {};

export async function runBench(run: BenchRunOptions): Promise<{ result: ScenarioResult; files: WrittenFiles }[]> {
  const scenarios = run.scenarios.map((name) => {
    const s = scenarioByName(name);
    if (!s) throw new Error(`unknown scenario "${name}"; choose from ${SCENARIOS.map((x) => x.name).join(', ')} or all`);
    return s;
  });
  const infra = await startInfra({ temporal: run.temporal, databaseUrl: run.databaseUrl, dbName: 'greenfood_bench', redisUrl: run.redisUrl, log: run.log });
  current = { infra };
  const out: { result: ScenarioResult; files: WrittenFiles }[] = [];
  try {
    for (const scenario of scenarios) {
      run.log(`== ${scenario.name}: ${scenario.title}`);
      const result = await scenario.run({
        infra, options: run.options, log: run.log, command: run.command,
        onDriver: (d) => { current.driver = d; },
      });
      const files = await writeResult(run.outDir, result);
      out.push({ result, files });
      run.onResult?.(result, files);
    }
  } finally {
    current = {};
    await infra.close();
  }
  return out;
}

function positiveInt(name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${value}`);
  return n;
}

export function parseBenchArgs(argv: string[]): Omit<BenchRunOptions, 'log' | 'command'> & { jsonOnly: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      short: { type: 'boolean' }, 'json-only': { type: 'boolean' },
      nodes: { type: 'string' }, slots: { type: 'string' }, 'latency-ms': { type: 'string' }, 'ms-per-token': { type: 'string' },
      'cloud-slots': { type: 'string' }, 'cloud-latency-ms': { type: 'string' },
      crews: { type: 'string' }, 'duration-s': { type: 'string' }, routing: { type: 'string' }, 'max-cached': { type: 'string' }, 'worker-heap-mib': { type: 'string' },
      'history-sample': { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
      'wft-slots': { type: 'string' }, 'workflow-threads': { type: 'string' }, 'plain-workflows': { type: 'boolean' },
      temporal: { type: 'string' }, 'database-url': { type: 'string' }, 'redis-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 1) throw new Error(USAGE);
  const scenarios = positionals[0] === 'all' ? SCENARIOS.map((s) => s.name) : positionals[0]!.split(',').map((s) => s.trim()).filter(Boolean);
  const routing = values.routing ?? 'auto';
  if (!['auto', 'pinned', 'router'].includes(routing)) throw new Error(`--routing must be auto, pinned or router, got ${routing}`);
  const latencyMs = positiveInt('latency-ms', values['latency-ms'], 0);
  return {
    scenarios,
    jsonOnly: values['json-only'] ?? false,
    outDir: path.resolve(values.out ?? path.join(__dirname, '..', 'results', 'bench')),
    temporal: values.temporal,
    databaseUrl: values['database-url'],
    redisUrl: values['redis-url'] ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    options: {
      short: values.short ?? false,
      nodes: positiveInt('nodes', values.nodes),
      slots: positiveInt('slots', values.slots),
      latencyMs,
      msPerToken: positiveInt('ms-per-token', values['ms-per-token'], 0),
      cloudSlots: positiveInt('cloud-slots', values['cloud-slots']),
      cloudLatencyMs: positiveInt('cloud-latency-ms', values['cloud-latency-ms'], 0) ?? latencyMs,
      crews: positiveInt('crews', values.crews),
      durationS: positiveInt('duration-s', values['duration-s']),
      routing: routing as BenchOptions['routing'],
      maxCached: positiveInt('max-cached', values['max-cached'], 0),
      workerHeapMiB: positiveInt('worker-heap-mib', values['worker-heap-mib'], 64),
      seed: positiveInt('seed', values.seed, 0) ?? 1,
      historySample: positiveInt('history-sample', values['history-sample']),
      ...(values['wft-slots'] || values['workflow-threads'] || values['plain-workflows'] ? {
        crewsTuning: {
          wftSlots: positiveInt('wft-slots', values['wft-slots'], 2),
          workflowThreads: positiveInt('workflow-threads', values['workflow-threads']),
          plainWorkflows: values['plain-workflows'] ?? false,
        },
      } : {}),
    },
  };
}

async function main() {
  let parsed: ReturnType<typeof parseBenchArgs>;
  try {
    parsed = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const log: Log = (m) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: ending open crews and stopping what the bench started`);
    const { infra, driver } = current;
    void (async () => {
      await driver?.terminateRunning('benchmark interrupted').catch(() => undefined);
      await infra?.close().catch(() => undefined);
      process.exit(130);
    })();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const results = await runBench({
    ...parsed,
    log,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
    onResult: (result, files) => {
      if (parsed.jsonOnly) return;
      console.log(`\n${formatTable(result)}\n  results: ${path.relative(process.cwd(), files.json)}, ${path.relative(process.cwd(), files.svg)}\n`);
    },
  });
  if (parsed.jsonOnly) console.log(JSON.stringify(results.map((r) => ({ ...r.result, files: r.files })), null, 2));
  // gRPC and pg handles can outlive a clean shutdown by a few seconds; the run is over.
  process.exit(0);
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`bench failed: ${err.stack ?? err.message}`);
    process.exit(1);
  });
}
