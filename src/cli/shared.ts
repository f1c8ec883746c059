import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { isPriorityTier } from '../shared/priority';
import type { Config } from '../config';
import { clientInterceptors, installTracing } from '../observability/tracing';

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

export const EXIT = { ok: 0, crewFailed: 1, badInput: 2, unreachable: 3 } as const;

export async function connect(config: Config): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '5s' });
    // A crew's trace starts here, at the client's start call, when OTEL_EXPORTER_OTLP_ENDPOINT is set.
    installTracing({ serviceName: 'greenfood-cli', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
    return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: clientInterceptors() });
  } catch (err) {
    throw new CliError(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (${(err as Error).message}); is the platform running? (npm start)`, EXIT.unreachable);
  }
}

export function uiLink(config: Config, workflowId: string): string {
  return `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}`;
}

export async function readJsonFile(file: string | undefined, what: string): Promise<unknown> {
  if (!file) throw new CliError(`${what} needs a JSON file`, EXIT.badInput);
  const { readFile } = await import('node:fs/promises');
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, EXIT.badInput);
  }
}

/** Flags every command understands; areas read what they need. */
export interface CommonFlags {
  priority?: string;
  wait: boolean;
  json: boolean;
  limit: number;
  extra: Record<string, string | boolean | undefined>;
}

/** One CLI area (`order`, `settlement`, ...): its usage lines and its command runner. */
export interface CliArea {
  usage: string[];
  run(command: string | undefined, args: string[], flags: CommonFlags, config: Config): Promise<void>;
}

export interface CrewFromFile<I, R> {
  config: Config;
  file: string | undefined;
  flags: CommonFlags;
  /** The command, for messages: `order place`. */
  command: string;
  /** What the file holds, for messages: `order`. */
  noun: string;
  schema: z.ZodType<I>;
  start: (client: Client, input: I) => Promise<{ handle: WorkflowHandle; started: boolean }>;
  /** Said when the business key was already used and nothing new started. */
  alreadyStarted: (input: I) => string;
  print: (result: R) => void;
}

/**
 * Every "start a crew from a JSON file" command: read and validate the file (exit 2), start the
 * crew under its business key (exit 3 when Temporal is unreachable), print the id and Web UI link,
 * then — unless --no-wait — the result, or the failure with its type (exit 1).
 */
export async function startCrewFromFile<I, R>(spec: CrewFromFile<I, R>): Promise<void> {
  const { config, flags } = spec;
  const raw = await readJsonFile(spec.file, spec.command);
  if (flags.priority !== undefined) {
    if (!isPriorityTier(flags.priority)) throw new CliError(`--priority must be vip, regular or background, got ${flags.priority}`, EXIT.badInput);
    if (typeof raw === 'object' && raw !== null) (raw as Record<string, unknown>).priority = flags.priority;
  }
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    throw new CliError(`invalid ${spec.noun}: ${issues}`, EXIT.badInput);
  }
  const input = parsed.data;
  const client = await connect(config);
  try {
    const { handle, started } = await spec.start(client, input);
    const info = { workflowId: handle.workflowId, started, webUi: uiLink(config, handle.workflowId) };
    if (!flags.json) {
      console.log(started ? `Started ${handle.workflowId}` : `${spec.alreadyStarted(input)}; nothing new started (${handle.workflowId})`);
      console.log(`Web UI: ${info.webUi}`);
    }
    if (!flags.wait) {
      if (flags.json) console.log(JSON.stringify(info));
      return;
    }
    try {
      const result = (await handle.result()) as R;
      if (flags.json) console.log(JSON.stringify({ ...info, result }));
      else spec.print(result);
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
      const message = `${cause?.type ? `[${cause.type}] ` : ''}${cause?.message ?? err.message}`;
      if (flags.json) console.log(JSON.stringify({ ...info, error: { type: cause?.type, message } }));
      throw new CliError(message, EXIT.crewFailed);
    }
  } finally {
    await client.connection.close();
  }
}
