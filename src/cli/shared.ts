import { Client, Connection } from '@temporalio/client';
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
