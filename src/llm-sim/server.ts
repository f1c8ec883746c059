/**
 * LLM simulator: an HTTP server that speaks enough of the Ollama and OpenAI chat APIs for the real
 * `ollama` and `openai` npm clients to talk to it. It exists because no model weights can be
 * downloaded here, yet workers, retries, timeouts and load balancing still need a real server on a
 * real socket to be tested and benchmarked against.
 *
 * It models the parts of a model server that matter to callers: a fixed number of parallel slots
 * with a FIFO queue behind them (OLLAMA_NUM_PARALLEL), latency that grows with output length,
 * schema-valid structured output, and injectable faults.
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { instanceFor, promptFragment } from './schema-instance';
import { mulberry32 } from '../shared/random';

export type FaultMode = 'none' | 'error' | 'timeout' | 'malformed';

export interface FaultPlan {
  mode: FaultMode;
  /** Inject into the next N matching requests only, then behave normally again. */
  count?: number;
  /** Probability 0..1 per matching request, drawn from a seeded PRNG so runs are reproducible. */
  rate?: number;
  /** Only requests for these models are affected; others never consume `count`. */
  models?: string[];
  /** PRNG seed for `rate`; the generator restarts on every setFaults so a plan replays identically. */
  seed?: number;
}

export const faultPlanSchema = z.strictObject({
  mode: z.enum(['none', 'error', 'timeout', 'malformed']),
  count: z.number().int().min(0).optional(),
  rate: z.number().min(0).max(1).optional(),
  models: z.array(z.string()).optional(),
  seed: z.number().int().optional(),
});

export interface SimulatorOptions {
  host?: string;
  port?: number;
  name?: string;
  parallel?: number;
  latencyMs?: number;
  msPerToken?: number;
  models?: string[];
  faults?: FaultPlan;
}

export interface LlmSimulatorStats {
  /** Requests to model endpoints; admin (/_sim/*) calls are excluded so polling does not skew them. */
  requests: number;
  byEndpoint: Record<string, number>;
  /** Requests holding a slot. Requests held open by a `timeout` fault take no slot. */
  inFlight: number;
  queued: number;
  maxInFlight: number;
  faultsInjected: number;
}

export interface LlmSimulator {
  url: string;
  port: number;
  name: string;
  stats(): LlmSimulatorStats;
  resetStats(): void;
  setFaults(f: FaultPlan): void;
  /** Base latency per request; `msPerToken` optionally changes the per-output-token part too. */
  setLatency(ms: number, msPerToken?: number): void;
  close(): Promise<void>;
}

type Provider = 'ollama' | 'openai';

type Format = { kind: 'text' } | { kind: 'json' } | { kind: 'schema'; schema: unknown };

interface ChatRequest {
  provider: Provider;
  model: string;
  stream: boolean;
  format: Format;
  includeUsage: boolean;
  promptChars: number;
  seedText: string;
}

interface Waiter {
  grant: () => void;
  cancel: (err: Error) => void;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code: string | null = null) {
    super(message);
  }
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MALFORMED_CONTENT = '{"choice": "unterminated';
const SIM_VERSION = '0.0.0-llm-sim';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Ollama resolves an untagged name to ":latest"; doing the same keeps "llama3" ≡ "llama3:latest". */
function canonicalModel(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    // OpenAI content parts: only text parts carry prompt text.
    return content
      .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
      .filter((t) => t !== '')
      .join('\n');
  }
  return '';
}

function parseMessages(raw: unknown): { promptChars: number; seedText: string } {
  if (raw === undefined) return { promptChars: 0, seedText: '' };
  if (!Array.isArray(raw)) throw new HttpError(400, 'messages must be an array');
  let promptChars = 0;
  let lastUser: string | undefined;
  let lastAny = '';
  for (const m of raw) {
    if (!isRecord(m) || typeof m.role !== 'string') throw new HttpError(400, 'each message needs a string role');
    const text = messageText(m.content);
    promptChars += text.length;
    lastAny = text;
    if (m.role === 'user') lastUser = text;
  }
  return { promptChars, seedText: lastUser ?? lastAny };
}

function parseOllamaChat(body: Record<string, unknown>): Omit<ChatRequest, 'model'> {
  let format: Format;
  if (body.format === undefined || body.format === null || body.format === '') format = { kind: 'text' };
  else if (body.format === 'json') format = { kind: 'json' };
  else if (isRecord(body.format)) format = { kind: 'schema', schema: body.format };
  else throw new HttpError(400, `invalid format: ${JSON.stringify(body.format)}`);
  const options = body.options;
  if (options !== undefined && options !== null) {
    if (!isRecord(options)) throw new HttpError(400, 'options must be an object');
    if (options.temperature !== undefined && typeof options.temperature !== 'number') {
      throw new HttpError(400, 'options.temperature must be a number');
    }
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw new HttpError(400, 'stream must be a boolean');
  // Ollama streams unless told otherwise.
  return { provider: 'ollama', stream: body.stream !== false, format, includeUsage: false, ...parseMessages(body.messages) };
}

function parseOpenAiChat(body: Record<string, unknown>): Omit<ChatRequest, 'model'> {
  if (!Array.isArray(body.messages)) throw new HttpError(400, "'messages' is a required property", 'invalid_value');
  let format: Format = { kind: 'text' };
  const rf = body.response_format;
  if (rf !== undefined && rf !== null) {
    if (!isRecord(rf)) throw new HttpError(400, 'response_format must be an object');
    if (rf.type === 'json_object') format = { kind: 'json' };
    else if (rf.type === 'json_schema') {
      const js = rf.json_schema;
      if (!isRecord(js) || typeof js.name !== 'string') throw new HttpError(400, 'response_format.json_schema.name is required');
      format = isRecord(js.schema) ? { kind: 'schema', schema: js.schema } : { kind: 'json' };
    } else if (rf.type !== 'text') throw new HttpError(400, `invalid response_format.type: ${JSON.stringify(rf.type)}`);
  }
  if (body.temperature !== undefined && body.temperature !== null && typeof body.temperature !== 'number') {
    throw new HttpError(400, 'temperature must be a number');
  }
  const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
  return { provider: 'openai', stream: body.stream === true, format, includeUsage, ...parseMessages(body.messages) };
}

function answerFor(req: ChatRequest, malformed: boolean): string {
  if (malformed) return MALFORMED_CONTENT;
  const fragment = promptFragment(req.seedText);
  switch (req.format.kind) {
    case 'schema':
      return JSON.stringify(instanceFor(req.format.schema, req.seedText));
    case 'json':
      return JSON.stringify({ answer: `Симульована відповідь: ${fragment}`, simulated: true });
    case 'text':
      return fragment
        ? `Симульована відповідь (${req.model}): ви написали «${fragment}». Це текст від симулятора LLM, а не від справжньої моделі.`
        : `Симульована відповідь (${req.model}): це текст від симулятора LLM, а не від справжньої моделі.`;
  }
}

/** Token-sized pieces whose concatenation is exactly the content, so streamed text reassembles. */
function streamPieces(content: string): string[] {
  return content.match(/^\s+|\S+\s*/gu) ?? [];
}

function errorBody(provider: Provider, status: number, message: string, code: string | null): unknown {
  if (provider === 'ollama') return { error: message };
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code } };
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'SimulatorClosed');
}

class Simulator {
  readonly server: http.Server;
  private readonly name: string;
  private readonly parallel: number;
  private latencyMs: number;
  private msPerToken: number;
  private readonly models: string[];

  private faults: FaultPlan = { mode: 'none' };
  private faultsRemaining: number | undefined;
  private rng: () => number = mulberry32(0);

  private active = 0;
  private readonly queue: Waiter[] = [];
  private readonly live = new Set<AbortController>();
  private closing: Promise<void> | undefined;

  private counters = { requests: 0, byEndpoint: {} as Record<string, number>, maxInFlight: 0, faultsInjected: 0 };
  private requestSeq = 0;

  constructor(options: SimulatorOptions) {
    this.name = options.name ?? 'sim-node';
    this.parallel = Math.max(1, Math.floor(options.parallel ?? 4));
    this.latencyMs = Math.max(0, options.latencyMs ?? 20);
    this.msPerToken = Math.max(0, options.msPerToken ?? 0);
    this.models = (options.models && options.models.length > 0 ? options.models : ['qwen3:8b']).map(canonicalModel);
    this.setFaults(options.faults ?? { mode: 'none' });
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.fail(res, err));
    });
  }

  stats(): LlmSimulatorStats {
    return {
      requests: this.counters.requests,
      byEndpoint: { ...this.counters.byEndpoint },
      inFlight: this.active,
      queued: this.queue.length,
      maxInFlight: this.counters.maxInFlight,
      faultsInjected: this.counters.faultsInjected,
    };
  }

  resetStats(): void {
    // maxInFlight restarts from what is running now, not 0, so it never reads below inFlight.
    this.counters = { requests: 0, byEndpoint: {}, maxInFlight: this.active, faultsInjected: 0 };
  }

  setFaults(plan: FaultPlan): void {
    const parsed = faultPlanSchema.parse(plan);
    this.faults = parsed;
    this.faultsRemaining = parsed.count;
    this.rng = mulberry32(parsed.seed ?? 0x5eed);
  }

  setLatency(ms: number, msPerToken?: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a non-negative number, got ${ms}`);
    this.latencyMs = ms;
    if (msPerToken !== undefined) {
      if (!Number.isFinite(msPerToken) || msPerToken < 0) throw new RangeError(`msPerToken must be non-negative, got ${msPerToken}`);
      this.msPerToken = msPerToken;
    }
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const ac of this.live) ac.abort();
      const closed = Object.assign(new Error('simulator closed'), { name: 'SimulatorClosed' });
      for (const w of this.queue.splice(0)) w.cancel(closed);
      // server.close() waits for every socket; destroying them (keep-alive, held by a timeout fault,
      // mid-stream) is what lets close() resolve and the process exit.
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  // --- request handling -------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('x-llm-sim-node', this.name);
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://sim').pathname.replace(/\/+$/u, '') || '/';
    const provider: Provider = path.startsWith('/v1/') ? 'openai' : 'ollama';

    if (path.startsWith('/_sim/')) return this.handleAdmin(method, path, req, res);

    const route = ROUTES[path] ?? (path.startsWith('/v1/models/') ? ROUTES['/v1/models/:id'] : undefined);
    this.counters.requests++;
    const key = route ? path : '(unknown)';
    this.counters.byEndpoint[key] = (this.counters.byEndpoint[key] ?? 0) + 1;

    if (!route) throw new HttpError(404, `404 page not found: ${path}`);
    const allowed = route.methods;
    if (!allowed.includes(method)) {
      res.setHeader('Allow', allowed.join(', '));
      throw new HttpError(405, `method ${method} not allowed on ${path}`);
    }
    await route.handler(this, { req, res, path, provider, method });
  }

  /** Writes an error response in the dialect of the endpoint that was called. */
  private fail(res: http.ServerResponse, err: unknown): void {
    if (isAbort(err)) return;
    const path = res.req.url ?? '';
    const provider: Provider = path.startsWith('/v1/') ? 'openai' : 'ollama';
    const httpErr = err instanceof HttpError ? err : new HttpError(500, err instanceof Error ? err.message : String(err));
    if (!(err instanceof HttpError)) console.error('[llm-sim] unexpected error:', err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, httpErr.status, errorBody(provider, httpErr.status, httpErr.message, httpErr.code));
  }

  private async handleAdmin(method: string, path: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (path === '/_sim/stats' && method === 'GET') {
      sendJson(res, 200, { name: this.name, ...this.stats(), faults: { ...this.faults, remaining: this.faultsRemaining } });
      return;
    }
    if (path === '/_sim/faults' && method === 'POST') {
      const body = await readJson(req);
      const parsed = faultPlanSchema.safeParse(body);
      if (!parsed.success) throw new HttpError(400, `invalid fault plan: ${z.prettifyError(parsed.error)}`);
      this.setFaults(parsed.data);
      sendJson(res, 200, { ok: true, faults: parsed.data });
      return;
    }
    if (path === '/_sim/reset' && method === 'POST') {
      // A benchmark run starts from a clean node: counters cleared and faults switched off.
      await drain(req);
      this.resetStats();
      this.setFaults({ mode: 'none' });
      sendJson(res, 200, { ok: true });
      return;
    }
    throw new HttpError(404, `unknown admin endpoint ${method} ${path}`);
  }

  modelList(): string[] {
    return this.models;
  }

  hasModel(name: string): boolean {
    return this.models.includes(canonicalModel(name));
  }

  private decideFault(model: string): FaultMode {
    const plan = this.faults;
    if (plan.mode === 'none') return 'none';
    if (plan.models && !plan.models.some((m) => canonicalModel(m) === canonicalModel(model))) return 'none';
    if (this.faultsRemaining !== undefined && this.faultsRemaining <= 0) return 'none';
    if (plan.rate !== undefined && !(this.rng() < plan.rate)) return 'none';
    if (this.faultsRemaining !== undefined) this.faultsRemaining--;
    this.counters.faultsInjected++;
    return plan.mode;
  }

  /** FIFO slot: resolves when one of `parallel` slots is ours; the caller must release it once. */
  private acquire(signal: AbortSignal): Promise<() => void> {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      // Hand the slot straight to the next waiter so a newcomer cannot jump the queue.
      if (next) next.grant();
      else this.active--;
    };
    if (this.active < this.parallel && this.queue.length === 0) {
      this.active++;
      this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.active);
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.active);
          resolve(release);
        },
        cancel: (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(Object.assign(new Error('client went away while queued'), { name: 'AbortError' }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Aborted when the client disconnects or the simulator closes, so no timer outlives either. */
  private lifetime(res: http.ServerResponse): AbortController {
    const ac = new AbortController();
    this.live.add(ac);
    res.on('close', () => {
      if (!res.writableEnded) ac.abort();
      this.live.delete(ac);
    });
    if (this.closing) ac.abort();
    return ac;
  }

  async chat(provider: Provider, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const ac = this.lifetime(res);
    const body = await readJson(req);
    if (!isRecord(body)) throw new HttpError(400, 'request body must be a JSON object');
    if (typeof body.model !== 'string' || body.model === '') throw new HttpError(400, 'model is required', 'invalid_value');
    const parsed = provider === 'ollama' ? parseOllamaChat(body) : parseOpenAiChat(body);
    const request: ChatRequest = { ...parsed, model: body.model };
    if (!this.hasModel(request.model)) {
      throw provider === 'ollama'
        ? new HttpError(404, `model '${request.model}' not found`)
        : new HttpError(404, `The model \`${request.model}\` does not exist or you do not have access to it.`, 'model_not_found');
    }

    const fault = this.decideFault(request.model);
    if (fault === 'timeout') {
      // Accepted but never answered: the client's own timeout is what ends this. No slot is taken so
      // a burst of hung requests cannot starve the healthy ones behind them.
      await new Promise<void>((resolve) => {
        if (ac.signal.aborted) resolve();
        else ac.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return;
    }

    const release = await this.acquire(ac.signal);
    try {
      const started = process.hrtime.bigint();
      const content = answerFor(request, fault === 'malformed');
      const evalCount = approxTokens(content);
      const promptCount = Math.ceil(request.promptChars / 4);
      await delay(this.latencyMs, undefined, { signal: ac.signal });
      const promptDone = process.hrtime.bigint();
      if (fault === 'error') {
        throw new HttpError(500, `simulated fault: internal server error on ${this.name}`, 'simulated_fault');
      }
      const timing = { started, promptDone, promptCount, evalCount };
      if (request.stream) await this.respondStream(request, content, timing, res, ac.signal);
      else {
        await delay(this.msPerToken * evalCount, undefined, { signal: ac.signal });
        this.respondWhole(request, content, timing, res);
      }
    } finally {
      release();
    }
  }

  private respondWhole(request: ChatRequest, content: string, t: Timing, res: http.ServerResponse): void {
    if (request.provider === 'ollama') {
      sendJson(res, 200, { ...ollamaHead(request.model), message: { role: 'assistant', content }, ...ollamaDone(t) });
      return;
    }
    sendJson(res, 200, {
      id: `chatcmpl-sim-${++this.requestSeq}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: openAiUsage(t),
      system_fingerprint: `fp_llm_sim_${this.name}`,
    });
  }

  private async respondStream(request: ChatRequest, content: string, t: Timing, res: http.ServerResponse, signal: AbortSignal): Promise<void> {
    const pieces = streamPieces(content);
    if (request.provider === 'ollama') {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      for (const piece of pieces) {
        await delay(this.msPerToken * approxTokens(piece), undefined, { signal });
        res.write(`${JSON.stringify({ ...ollamaHead(request.model), message: { role: 'assistant', content: piece }, done: false })}\n`);
      }
      res.end(`${JSON.stringify({ ...ollamaHead(request.model), message: { role: 'assistant', content: '' }, ...ollamaDone(t) })}\n`);
      return;
    }
    const id = `chatcmpl-sim-${++this.requestSeq}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): string =>
      `data: ${JSON.stringify({
        id, object: 'chat.completion.chunk', created, model: request.model,
        system_fingerprint: `fp_llm_sim_${this.name}`,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra,
      })}\n\n`;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(chunk({ role: 'assistant', content: '', refusal: null }, null));
    for (const piece of pieces) {
      await delay(this.msPerToken * approxTokens(piece), undefined, { signal });
      res.write(chunk({ content: piece }, null));
    }
    res.write(chunk({}, 'stop'));
    if (request.includeUsage) {
      res.write(`data: ${JSON.stringify({
        id, object: 'chat.completion.chunk', created, model: request.model, choices: [], usage: openAiUsage(t),
      })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }
}

interface Timing {
  started: bigint;
  promptDone: bigint;
  promptCount: number;
  evalCount: number;
}

function ollamaHead(model: string): Record<string, unknown> {
  return { model, created_at: new Date().toISOString() };
}

function ollamaDone(t: Timing): Record<string, unknown> {
  const now = process.hrtime.bigint();
  const promptNs = Number(t.promptDone - t.started);
  // At least 1 ns so callers computing tokens/s from eval_duration never divide by zero.
  const evalNs = Math.max(1, Number(now - t.promptDone));
  return {
    done: true,
    done_reason: 'stop',
    total_duration: promptNs + evalNs,
    load_duration: 0,
    prompt_eval_count: t.promptCount,
    prompt_eval_duration: promptNs,
    eval_count: t.evalCount,
    eval_duration: evalNs,
  };
}

function openAiUsage(t: Timing): Record<string, number> {
  return { prompt_tokens: t.promptCount, completion_tokens: t.evalCount, total_tokens: t.promptCount + t.evalCount };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function drain(req: http.IncomingMessage): Promise<void> {
  await readBody(req);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, `invalid JSON body: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface RouteCtx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  path: string;
  provider: Provider;
  method: string;
}

interface Route {
  methods: string[];
  handler: (sim: Simulator, ctx: RouteCtx) => Promise<void> | void;
}

function modelDetails(name: string): Record<string, unknown> {
  const family = name.split(':')[0] || 'sim';
  const size = name.match(/:(\d+(?:\.\d+)?)b/iu)?.[1];
  return {
    parent_model: '',
    format: 'gguf',
    family,
    families: [family],
    parameter_size: size ? `${size}B` : 'unknown',
    quantization_level: 'Q4_K_M',
  };
}

const SIM_EPOCH = '2025-01-01T00:00:00Z';

const ROUTES: Record<string, Route> = {
  '/': {
    methods: ['GET', 'HEAD'],
    handler: (_sim, { res }) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Ollama is running');
    },
  },
  '/api/version': {
    methods: ['GET'],
    handler: (_sim, { res }) => sendJson(res, 200, { version: SIM_VERSION }),
  },
  '/api/tags': {
    methods: ['GET'],
    handler: (sim, { res }) =>
      sendJson(res, 200, {
        models: sim.modelList().map((name) => ({
          name,
          model: name,
          modified_at: SIM_EPOCH,
          size: 5_000_000_000,
          digest: createHash('sha256').update(name).digest('hex'),
          details: modelDetails(name),
        })),
      }),
  },
  '/api/chat': {
    methods: ['POST'],
    handler: (sim, { req, res }) => sim.chat('ollama', req, res),
  },
  '/v1/models': {
    methods: ['GET'],
    handler: (sim, { res }) =>
      sendJson(res, 200, {
        object: 'list',
        data: sim.modelList().map((id) => ({ id, object: 'model', created: Date.parse(SIM_EPOCH) / 1000, owned_by: 'library' })),
      }),
  },
  '/v1/models/:id': {
    methods: ['GET'],
    handler: (sim, { res, path }) => {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (!sim.hasModel(id)) throw new HttpError(404, `The model \`${id}\` does not exist`, 'model_not_found');
      sendJson(res, 200, { id: canonicalModel(id), object: 'model', created: Date.parse(SIM_EPOCH) / 1000, owned_by: 'library' });
    },
  },
  '/v1/chat/completions': {
    methods: ['POST'],
    handler: (sim, { req, res }) => sim.chat('openai', req, res),
  },
};

function clientHost(host: string): string {
  // A wildcard bind address is not something a client can dial on every OS; loopback always works.
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startLlmSimulator(options: SimulatorOptions = {}): Promise<LlmSimulator> {
  const sim = new Simulator(options);
  const host = options.host ?? '127.0.0.1';
  const port = await sim.listen(host, options.port ?? 0);
  return {
    url: `http://${clientHost(host)}:${port}`,
    port,
    name: options.name ?? 'sim-node',
    stats: () => sim.stats(),
    resetStats: () => sim.resetStats(),
    setFaults: (f) => sim.setFaults(f),
    setLatency: (ms, msPerToken) => sim.setLatency(ms, msPerToken),
    close: () => sim.close(),
  };
}

