import type { Logger as TemporalLogger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/common';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * One JSON line per event for every GREENFOOD process (pino), and an adapter that routes the
 * Temporal SDK's own logs (worker, workflow `log`, activity `log`) into it. Workflow and activity
 * lines carry workflowId, runId, crew, agent, consignorId (when the crew has one) and trace_id,
 * added by the interceptors in interceptors.ts and workflow-interceptors.ts.
 *
 * Buyers' personal data must never reach a log line: fields that hold it are censored by path,
 * and phone numbers are masked in free text (error messages may quote input).
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Field names that hold personal data or secrets, at the top level or one level down. */
const SENSITIVE_FIELDS = [
  'phone', 'recipient', 'street', 'postalCode', 'deliveryAddress', 'address', 'email', 'buyerName',
  'password', 'apiKey', 'authorization', 'CLOUD_LLM_API_KEY',
];
const REDACT_PATHS = [...SENSITIVE_FIELDS, ...SENSITIVE_FIELDS.map((f) => `*.${f}`)];
const CENSOR = '[redacted]';

/** International (+380…) and Ukrainian national (0XX XXX XX XX) phone numbers, with usual separators. */
const PHONE = /(?:\+\d{1,3}[\s-]?\(?\d{2,3}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2,3})|(?:\b0\d{2}[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}\b)/g;

export function maskPersonalData(text: string): string {
  return text.replace(PHONE, '[phone]');
}

function isErrorLike(value: object): value is Error {
  return typeof (value as Error).message === 'string' && typeof (value as Error).stack === 'string';
}

/** Masks phone numbers in every string of a value (depth-limited: log metadata is shallow). */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPersonalData(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  // Duck-typed: errors from the workflow sandbox come from another V8 realm, so instanceof fails.
  if (value instanceof Error || isErrorLike(value)) {
    return {
      type: value.name,
      message: maskPersonalData(value.message),
      ...('type' in value && typeof value.type === 'string' ? { failureType: value.type } : {}),
      ...(value.stack ? { stack: maskPersonalData(value.stack) } : {}),
      ...(value.cause !== undefined ? { cause: scrub(value.cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SENSITIVE_FIELDS.includes(k) ? CENSOR : scrub(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Process kind, e.g. `agents`, `llm-local`; on every line. */
  worker?: string;
  /** Where lines go; stdout by default (tests pass an in-memory stream). */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'greenfood', ...(options.worker ? { worker: options.worker } : {}) },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names ("warn"), not numbers, so a grep or Loki query reads naturally.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => scrub(a)) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

let root: Logger | undefined;
/** The process-wide logger; `installLogger` replaces it (e.g. with LOG_LEVEL from config). */
export function logger(): Logger {
  const fromEnv = process.env.LOG_LEVEL;
  root ??= createLogger({ level: fromEnv && ['trace', 'debug', 'info', 'warn', 'error'].includes(fromEnv) ? (fromEnv as LogLevel) : 'info' });
  return root;
}

export function installLogger(options: LoggerOptions): Logger {
  root = createLogger(options);
  return root;
}

const LEVELS: Record<TemporalLogLevel, LogLevel> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * One name per field across SDK components (activity lines say `workflowRunId`, workflow lines
 * `runId`), without the opaque task token, and scrubbed of personal data.
 */
function normalize(meta: LogMetadata): object {
  const { taskToken: _taskToken, workflowRunId, ...rest } = meta as Record<string, unknown>;
  return scrub(workflowRunId !== undefined && rest.runId === undefined ? { ...rest, runId: workflowRunId } : rest) as object;
}

/**
 * The Temporal SDK's `Logger` on top of pino, for `Runtime.install({ logger })`. SDK metadata keeps
 * its names (workflowId, runId, workflowType, activityType, taskQueue, attempt, sdkComponent), so a
 * query by workflow id finds worker, workflow and activity lines alike.
 */
export class TemporalPinoLogger implements TemporalLogger {
  constructor(private readonly target: Logger) {}

  log(level: TemporalLogLevel, message: string, meta?: LogMetadata): void {
    const method = LEVELS[level] ?? 'info';
    if (!this.target.isLevelEnabled(method)) return;
    this.target[method](meta ? normalize(meta) : {}, message);
  }
  trace(message: string, meta?: LogMetadata): void { this.log('TRACE', message, meta); }
  debug(message: string, meta?: LogMetadata): void { this.log('DEBUG', message, meta); }
  info(message: string, meta?: LogMetadata): void { this.log('INFO', message, meta); }
  warn(message: string, meta?: LogMetadata): void { this.log('WARN', message, meta); }
  error(message: string, meta?: LogMetadata): void { this.log('ERROR', message, meta); }
}
