import { z } from 'zod';

/**
 * The one typed configuration of every GREENFOOD process, read from the environment and
 * validated at start-up so a typo fails fast instead of surfacing as a runtime oddity.
 */
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const ConfigSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/greenfood'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Read replica for analytics and reports; unset means reads go to the primary. */
  DATABASE_READ_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379/0'),
  /** Prefix of every Redis key, so two deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('greenfood'),
  /** `pg` pool per worker kind: agent tools hold a connection while they run, LLM workers only journal. */
  DATABASE_POOL_AGENTS: z.coerce.number().int().min(1).max(500).default(20),
  DATABASE_POOL_LLM: z.coerce.number().int().min(1).max(100).default(4),
  /** Ollama base URL of the local GPU pool; unset means "no model server": the simulator is used. */
  OLLAMA_URL: z.string().url().optional(),
  LLM_MODEL: z.string().min(1).default('qwen3:8b'),
  LLM_POOL: z.string().regex(/^[a-z0-9-]+$/).default('local'),
  /** Slots of the Ollama node behind this pool (its OLLAMA_NUM_PARALLEL). */
  LLM_PARALLEL: z.coerce.number().int().min(1).max(256).default(4),
  /** OpenAI-compatible cloud (e.g. DeepSeek); used for the `cloud` pool. */
  CLOUD_LLM_BASE_URL: z.string().url().optional(),
  CLOUD_LLM_API_KEY: z.string().min(1).optional(),
  CLOUD_LLM_MODEL: z.string().min(1).default('deepseek-chat'),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  LLM_CACHE_TTL_S: z.coerce.number().int().min(0).default(3600),
  /** Answers sampled above this temperature are meant to vary and are never cached. */
  LLM_CACHE_MAX_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.5),
  /** A local pool that does not start an LLM task within this time is presumed dead for that call. */
  LLM_LOCAL_SCHEDULE_TO_START_MS: z.coerce.number().int().min(100).default(30_000),
  /** Server-side rate limit of the whole cloud queue (maxTaskQueueActivitiesPerSecond); unset = none. */
  CLOUD_LLM_MAX_RPS: z.coerce.number().positive().optional(),
  /** Cloud tokens a consignor may spend per minute; beyond it work queues until the next minute. */
  CLOUD_TOKENS_PER_MINUTE_PER_CONSIGNOR: z.coerce.number().int().positive().optional(),
  /** Fairness weight per consignor plan, e.g. `premium=3,standard=1,starter=1`. */
  FAIRNESS_WEIGHTS: z
    .string()
    .regex(/^([a-z]+=[0-9.]+)(,[a-z]+=[0-9.]+)*$/, 'plan=weight pairs separated by commas')
    .default('premium=3,standard=1,starter=1')
    .transform((v) => Object.fromEntries(v.split(',').map((pair) => { const [plan, w] = pair.split('='); return [plan!, Math.min(1000, Math.max(0.001, Number(w)))]; })) as Record<string, number>),
  LLM_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(11434),
  LLM_SIM_LATENCY_MS: z.coerce.number().int().min(0).default(150),
  PLATFORM_COMMISSION_FALLBACK_BP: z.coerce.number().int().min(0).max(5000).default(1500),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** GREENFOOD's Prometheus `/metrics` of a worker process; 0 turns it off. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** The Temporal SDK's own Prometheus metrics (Runtime.install); 0 turns them off. */
  SDK_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  /** Interface both metrics endpoints bind; containers need 0.0.0.0 so Prometheus can scrape them. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** OTLP/HTTP endpoint for traces (e.g. http://jaeger:4318); unset means no trace export. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** Settlement payouts up to this many kopiykas are approved without an operator (default 5 000 грн). */
  SETTLEMENT_AUTO_APPROVE_MAX_KOP: z.coerce.number().int().min(0).default(500_000),
  DEMO_ORDERS: booleanFromEnv.default(true),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** A loggable view: credentials in URLs and keys are masked. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const maskUrl = (url: string | undefined) => url?.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1:***@');
  return {
    ...config,
    DATABASE_URL: maskUrl(config.DATABASE_URL),
    DATABASE_READ_URL: maskUrl(config.DATABASE_READ_URL),
    REDIS_URL: maskUrl(config.REDIS_URL),
    CLOUD_LLM_API_KEY: config.CLOUD_LLM_API_KEY ? '***' : undefined,
  };
}
