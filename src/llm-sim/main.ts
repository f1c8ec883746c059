/**
 * CLI for the LLM simulator:
 *   tsx src/llm-sim/main.ts --port 11434 --parallel 4 --latency-ms 200 --name node-a [--nodes N]
 * Every flag falls back to an LLM_SIM_* environment variable, then to a default, so scripts can
 * configure nodes either way. URLs go to stdout (one per node, for scripts to capture); the
 * warning that this is not a real model goes to stderr so it shows up in logs but not in pipes.
 */
import { parseArgs } from 'node:util';
import { startLlmSimulator, type LlmSimulator } from './server';

const USAGE = `Usage: tsx src/llm-sim/main.ts [options]
  --host <addr>          bind address            (LLM_SIM_HOST, default 127.0.0.1)
  --port <n>             first port; 0=ephemeral (LLM_SIM_PORT, default 11434)
  --nodes <n>            simulators on consecutive ports (LLM_SIM_NODES, default 1)
  --parallel <n>         concurrent slots per node (LLM_SIM_PARALLEL, default 4)
  --latency-ms <n>       base latency per request  (LLM_SIM_LATENCY_MS, default 20)
  --ms-per-token <n>     extra latency per output token (LLM_SIM_MS_PER_TOKEN, default 0)
  --name <s>             node name; "-1", "-2"… appended when --nodes > 1 (LLM_SIM_NAME, default sim-node)
  --models <a,b>         model names served      (LLM_SIM_MODELS, default qwen3:8b)
`;

function intArg(flag: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${flag} must be an integer in [${min}, ${max}], got "${raw}"`);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      nodes: { type: 'string' },
      parallel: { type: 'string' },
      'latency-ms': { type: 'string' },
      'ms-per-token': { type: 'string' },
      name: { type: 'string' },
      models: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const env = process.env;
  const host = values.host ?? env.LLM_SIM_HOST ?? '127.0.0.1';
  const port = intArg('--port', values.port ?? env.LLM_SIM_PORT, 11434, 0, 65535);
  const nodes = intArg('--nodes', values.nodes ?? env.LLM_SIM_NODES, 1, 1, 256);
  const parallel = intArg('--parallel', values.parallel ?? env.LLM_SIM_PARALLEL, 4, 1);
  const latencyMs = intArg('--latency-ms', values['latency-ms'] ?? env.LLM_SIM_LATENCY_MS, 20, 0);
  const msPerToken = intArg('--ms-per-token', values['ms-per-token'] ?? env.LLM_SIM_MS_PER_TOKEN, 0, 0);
  const name = values.name ?? env.LLM_SIM_NAME ?? 'sim-node';
  const models = (values.models ?? env.LLM_SIM_MODELS ?? 'qwen3:8b').split(',').map((m) => m.trim()).filter(Boolean);
  if (port !== 0 && port + nodes - 1 > 65535) throw new Error(`--port ${port} with --nodes ${nodes} runs past port 65535`);

  const sims: LlmSimulator[] = [];
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      // A second Ctrl-C means "now", even if a socket is slow to close.
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`[llm-sim] ${signal}: closing ${sims.length} simulator(s)\n`);
    await Promise.all(sims.map((s) => s.close()));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    for (let i = 0; i < nodes; i++) {
      sims.push(await startLlmSimulator({
        host,
        port: port === 0 ? 0 : port + i,
        name: nodes > 1 ? `${name}-${i + 1}` : name,
        parallel,
        latencyMs,
        msPerToken,
        models,
      }));
    }
  } catch (err) {
    await Promise.all(sims.map((s) => s.close()));
    throw err;
  }

  process.stderr.write(
    `[llm-sim] !!! LLM SIMULATOR — NOT A REAL MODEL: answers are synthetic placeholders (${nodes} node(s), ` +
      `parallel=${parallel}, latency=${latencyMs}ms, msPerToken=${msPerToken}, models=${models.join(',')}) !!!\n`,
  );
  for (const sim of sims) process.stdout.write(`${sim.url}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[llm-sim] failed to start: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  process.exit(1);
});
