import { Ollama } from 'ollama';
import OpenAI from 'openai';

export interface ChatRequest {
  model?: string;
  system: string;
  user: string;
  temperature: number;
  /** JSON schema the answer must follow (structured output). */
  jsonSchema: Record<string, unknown>;
  schemaName: string;
  signal?: AbortSignal;
}

export interface ChatResult {
  content: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
}

/** One interface over every model server: local Ollama nodes and OpenAI-compatible clouds. */
export interface LlmProvider {
  readonly name: 'ollama' | 'openai';
  readonly defaultModel: string;
  chat(request: ChatRequest): Promise<ChatResult>;
}

/** Combines a per-call deadline with the caller's cancellation (activity cancel, worker shutdown). */
function deadlineSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([timeout, signal]) : timeout;
}

export class OllamaProvider implements LlmProvider {
  readonly name = 'ollama' as const;
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    readonly defaultModel: string,
    private readonly timeoutMs: number,
  ) {
    this.baseUrl = baseUrl;
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    // A client per call: the ollama client's abort() is client-wide, and the deadline must be per request.
    const signal = deadlineSignal(this.timeoutMs, request.signal);
    const client = new Ollama({
      host: this.baseUrl,
      fetch: (input, init) => fetch(input, { ...init, signal }),
    });
    const model = request.model ?? this.defaultModel;
    const response = await client.chat({
      model,
      stream: false,
      format: request.jsonSchema,
      options: { temperature: request.temperature },
      messages: [
        { role: 'system', content: request.system },
        { role: 'user', content: request.user },
      ],
    });
    return {
      content: response.message.content,
      model: response.model || model,
      tokensIn: response.prompt_eval_count ?? 0,
      tokensOut: response.eval_count ?? 0,
    };
  }
}

export class OpenAiCompatibleProvider implements LlmProvider {
  readonly name = 'openai' as const;
  private readonly client: OpenAI;

  constructor(
    baseUrl: string,
    apiKey: string,
    readonly defaultModel: string,
    timeoutMs: number,
  ) {
    // Temporal owns retries; the client's own retries would hide failures and stretch timeouts.
    this.client = new OpenAI({ baseURL: baseUrl, apiKey, timeout: timeoutMs, maxRetries: 0 });
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const model = request.model ?? this.defaultModel;
    const completion = await this.client.chat.completions.create(
      {
        model,
        temperature: request.temperature,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: request.schemaName, schema: request.jsonSchema, strict: true },
        },
      },
      { signal: request.signal },
    );
    const content = completion.choices[0]?.message.content;
    if (typeof content !== 'string') throw new Error('OpenAI-compatible answer has no message content');
    return {
      content,
      model: completion.model || model,
      tokensIn: completion.usage?.prompt_tokens ?? 0,
      tokensOut: completion.usage?.completion_tokens ?? 0,
    };
  }
}
