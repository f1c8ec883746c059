import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { z } from 'zod';
import { startLlmSimulator, type LlmSimulator } from '../src/llm-sim/server';
import { instanceFor } from '../src/llm-sim/schema-instance';

const MODEL = 'qwen3:8b';

const Decision = z.object({
  decision: z.enum(['approve', 'reject', 'escalate']),
  reason: z.string().min(5).max(40),
  confidence: z.number().min(0).max(1),
  items: z
    .array(z.object({ sku: z.string().min(2).max(12), qty: z.number().int().min(1).max(50), price: z.number().positive() }))
    .min(1)
    .max(3),
  contact: z.email(),
  deliverOn: z.iso.date(),
  createdAt: z.iso.datetime(),
  link: z.url(),
  id: z.uuid(),
  note: z.string().nullable(),
  comment: z.string().optional(),
  urgent: z.boolean(),
  kind: z.literal('order'),
  tags: z.record(z.enum(['region', 'channel']), z.string().max(20)),
});
const decisionSchema = z.toJSONSchema(Decision) as Record<string, unknown>;

const PROMPT = 'Чи схвалити замовлення №42 на 10 кг органічної моркви для ресторану?';

function ollamaFor(sim: LlmSimulator): Ollama {
  return new Ollama({ host: sim.url });
}

function openaiFor(sim: LlmSimulator, extra: { timeout?: number } = {}): OpenAI {
  // No retries: fault tests count requests exactly, and a retry would silently consume a fault.
  return new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'sim', maxRetries: 0, ...extra });
}

/** `format: null` sends no format at all (plain-text answer); the default asks for the Decision schema. */
async function askOllama(sim: LlmSimulator, prompt: string, format: string | object | null = decisionSchema, model = MODEL): Promise<string> {
  const res = await ollamaFor(sim).chat({ model, messages: [{ role: 'user', content: prompt }], format: format ?? undefined, stream: false });
  return res.message.content;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected the promise to reject');
}

void describe('structured output against real clients', () => {
  let sim: LlmSimulator;
  before(async () => {
    sim = await startLlmSimulator({ latencyMs: 1, name: 'struct' });
  });
  after(() => sim.close());

  void test('ollama chat with a zod JSON schema returns content that validates', async () => {
    const res = await ollamaFor(sim).chat({
      model: MODEL,
      messages: [{ role: 'system', content: 'Ти — помічник з закупівель.' }, { role: 'user', content: PROMPT }],
      format: decisionSchema,
      stream: false,
      options: { temperature: 0 },
    });
    assert.equal(res.model, MODEL);
    assert.equal(res.done, true);
    assert.equal(res.done_reason, 'stop');
    assert.equal(res.message.role, 'assistant');
    const parsed = Decision.parse(JSON.parse(res.message.content));
    assert.ok(['approve', 'reject', 'escalate'].includes(parsed.decision));
    assert.match(parsed.reason, /^Симульована/u);
    assert.ok(parsed.comment?.includes('Чи схвалити замовлення'), `prompt fragment expected in ${parsed.comment}`);
    assert.equal(parsed.kind, 'order');
    assert.deepEqual(Object.keys(parsed.tags).sort(), ['channel', 'region']);
    assert.equal(res.eval_count, Math.ceil(res.message.content.length / 4));
    const promptChars = 'Ти — помічник з закупівель.'.length + PROMPT.length;
    assert.equal(res.prompt_eval_count, Math.ceil(promptChars / 4));
    assert.ok(res.total_duration > 0 && res.eval_duration > 0);
  });

  void test('openai json_schema response validates and reports usage', async () => {
    const completion = await openaiFor(sim).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: PROMPT }],
      response_format: { type: 'json_schema', json_schema: { name: 'decision', schema: decisionSchema, strict: true } },
    });
    assert.equal(completion.object, 'chat.completion');
    const choice = completion.choices[0];
    assert.ok(choice);
    assert.equal(choice.finish_reason, 'stop');
    assert.equal(choice.message.refusal, null);
    const content = choice.message.content ?? '';
    Decision.parse(JSON.parse(content));
    assert.equal(completion.usage?.completion_tokens, Math.ceil(content.length / 4));
    assert.equal(completion.usage?.prompt_tokens, Math.ceil(PROMPT.length / 4));
    assert.equal(completion.usage?.total_tokens, (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
  });

  void test('same prompt gives the same answer; different prompts reach different enum values', async () => {
    const first = await askOllama(sim, PROMPT);
    assert.equal(await askOllama(sim, PROMPT), first);
    const decisions = new Set<string>();
    for (let i = 0; i < 12; i++) {
      decisions.add(Decision.parse(JSON.parse(await askOllama(sim, `Замовлення №${i}: ${PROMPT}`))).decision);
    }
    assert.ok(decisions.size >= 2, `only ${[...decisions].join(',')} was ever chosen`);
  });

  void test('without a format the answer is Ukrainian text echoing the prompt', async () => {
    const content = await askOllama(sim, 'Скільки коштує кілограм буряка?', null);
    assert.match(content, /Симульована відповідь/u);
    assert.match(content, /Скільки коштує кілограм буряка/u);
    assert.throws(() => JSON.parse(content) as unknown);
  });

  void test('format "json" and json_object return a small JSON object', async () => {
    const viaOllama: unknown = JSON.parse(await askOllama(sim, 'Дай JSON', 'json'));
    assert.ok(typeof viaOllama === 'object' && viaOllama !== null && !Array.isArray(viaOllama));
    const completion = await openaiFor(sim).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Дай JSON' }],
      response_format: { type: 'json_object' },
    });
    const viaOpenAi = z.object({ answer: z.string(), simulated: z.literal(true) }).parse(JSON.parse(completion.choices[0]?.message.content ?? ''));
    assert.match(viaOpenAi.answer, /Дай JSON/u);
  });

  void test('ollama streaming chunks concatenate to the non-streamed content', async () => {
    const whole = await askOllama(sim, PROMPT);
    const stream = await ollamaFor(sim).chat({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], format: decisionSchema, stream: true });
    const parts: string[] = [];
    let doneCount = 0;
    let evalCount = 0;
    for await (const chunk of stream) {
      parts.push(chunk.message.content);
      if (chunk.done) {
        doneCount++;
        evalCount = chunk.eval_count;
      }
    }
    assert.ok(parts.length > 2, `expected several chunks, got ${parts.length}`);
    assert.equal(doneCount, 1);
    assert.equal(parts.join(''), whole);
    assert.equal(evalCount, Math.ceil(whole.length / 4));
    Decision.parse(JSON.parse(parts.join('')));
  });

  void test('ollama streams by default when stream is absent (raw NDJSON)', async () => {
    const res = await fetch(`${sim.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Привіт' }] }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /ndjson/u);
    const lines = (await res.text()).trim().split('\n').map((l) => z.object({ done: z.boolean() }).parse(JSON.parse(l)));
    assert.ok(lines.length > 1);
    assert.equal(lines.at(-1)?.done, true);
    assert.ok(lines.slice(0, -1).every((l) => !l.done));
  });

  void test('openai streaming yields SSE deltas that concatenate to the content, with usage', async () => {
    const whole = (await openaiFor(sim).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] })).choices[0]?.message.content;
    const stream = await openaiFor(sim).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: PROMPT }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usageTokens: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usageTokens = chunk.usage.completion_tokens;
    }
    assert.equal(text, whole);
    assert.equal(finish, 'stop');
    assert.equal(usageTokens, Math.ceil(text.length / 4));
  });

  void test('model listings: /api/tags, /api/version, / and /v1/models', async () => {
    const tags = await ollamaFor(sim).list();
    assert.deepEqual(tags.models.map((m) => m.name), [MODEL]);
    const [tag] = tags.models;
    assert.equal(tag?.model, MODEL);
    assert.match(tag?.digest ?? '', /^[0-9a-f]{64}$/u);
    assert.equal(tag?.details.family, 'qwen3');
    assert.equal(tag?.details.parameter_size, '8B');
    assert.ok(typeof (await ollamaFor(sim).version()).version === 'string');
    const root = await fetch(`${sim.url}/`);
    assert.equal(await root.text(), 'Ollama is running');
    assert.equal(root.headers.get('x-llm-sim-node'), 'struct');
    const ids: string[] = [];
    for await (const m of openaiFor(sim).models.list()) ids.push(m.id);
    assert.deepEqual(ids, [MODEL]);
  });

  void test('unknown model is a 404 in each provider format', async () => {
    const ollamaErr = await rejection(askOllama(sim, 'hi', null, 'nope:1b'));
    assert.ok(ollamaErr instanceof Error);
    assert.equal((ollamaErr as Error & { status_code?: number }).status_code, 404);
    assert.equal(ollamaErr.message, "model 'nope:1b' not found");

    const openaiErr = await rejection(openaiFor(sim).chat.completions.create({ model: 'nope:1b', messages: [{ role: 'user', content: 'hi' }] }));
    assert.ok(openaiErr instanceof OpenAI.NotFoundError);
    assert.equal(openaiErr.status, 404);
    assert.equal(openaiErr.code, 'model_not_found');
    assert.equal(openaiErr.type, 'invalid_request_error');
  });

  void test('bad JSON body is a 400 in each provider format', async () => {
    const o = await fetch(`${sim.url}/api/chat`, { method: 'POST', body: '{"model": "qwen3:8b",' });
    assert.equal(o.status, 400);
    assert.match(z.object({ error: z.string() }).parse(await o.json()).error, /invalid JSON/u);
    const a = await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', body: 'not json' });
    assert.equal(a.status, 400);
    const body = z.object({ error: z.object({ message: z.string(), type: z.string() }) }).parse(await a.json());
    assert.equal(body.error.type, 'invalid_request_error');
  });

  void test('stats count requests per endpoint', async () => {
    sim.resetStats();
    await askOllama(sim, 'a');
    await openaiFor(sim).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'b' }] });
    await fetch(`${sim.url}/_sim/stats`);
    const s = sim.stats();
    assert.equal(s.requests, 2);
    assert.deepEqual(s.byEndpoint, { '/api/chat': 1, '/v1/chat/completions': 1 });
    assert.equal(s.inFlight, 0);
    assert.equal(s.queued, 0);
    assert.equal(s.maxInFlight, 1);
  });
});

void describe('parallel slots', () => {
  let sim: LlmSimulator;
  before(async () => {
    sim = await startLlmSimulator({ parallel: 2, latencyMs: 150 });
  });
  after(() => sim.close());

  void test('parallel=2 runs at most 2 at once and queues the rest FIFO', async () => {
    const ollama = ollamaFor(sim);
    const started = performance.now();
    const all = Array.from({ length: 6 }, (_, i) =>
      ollama.chat({ model: MODEL, messages: [{ role: 'user', content: `запит ${i}` }], stream: false }));
    // Snapshot while the first wave is running: 2 in slots, 4 waiting.
    let snapshot = sim.stats();
    for (let i = 0; i < 100 && snapshot.inFlight + snapshot.queued < 6; i++) {
      await new Promise((r) => setTimeout(r, 5));
      snapshot = sim.stats();
    }
    assert.equal(snapshot.inFlight, 2);
    assert.equal(snapshot.queued, 4);
    const results = await Promise.all(all);
    const elapsed = performance.now() - started;
    assert.equal(results.length, 6);
    const s = sim.stats();
    assert.equal(s.maxInFlight, 2);
    assert.equal(s.requests, 6);
    assert.equal(s.inFlight, 0);
    assert.equal(s.queued, 0);
    assert.ok(elapsed >= 3 * 150, `6 requests over 2 slots at 150 ms must take >= 450 ms, took ${elapsed.toFixed(0)} ms`);
  });
});

void describe('fault injection', () => {
  let sim: LlmSimulator;
  before(async () => {
    sim = await startLlmSimulator({ latencyMs: 2, models: [MODEL, 'llama3.2:3b'] });
  });
  after(() => sim.close());

  void test('malformed: HTTP 200 whose content is not JSON although a schema was asked', async () => {
    sim.resetStats();
    sim.setFaults({ mode: 'malformed' });
    const fromOllama = await askOllama(sim, PROMPT);
    assert.throws(() => JSON.parse(fromOllama) as unknown, SyntaxError);
    const completion = await openaiFor(sim).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: PROMPT }],
      response_format: { type: 'json_schema', json_schema: { name: 'decision', schema: decisionSchema, strict: true } },
    });
    assert.throws(() => JSON.parse(completion.choices[0]?.message.content ?? '') as unknown, SyntaxError);
    assert.equal(sim.stats().faultsInjected, 2);
    sim.setFaults({ mode: 'none' });
    Decision.parse(JSON.parse(await askOllama(sim, PROMPT)));
  });

  void test('error: both clients throw a 500', async () => {
    sim.setFaults({ mode: 'error' });
    const ollamaErr = await rejection(askOllama(sim, PROMPT));
    assert.equal((ollamaErr as { status_code?: number }).status_code, 500);
    const openaiErr = await rejection(openaiFor(sim).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }));
    assert.ok(openaiErr instanceof OpenAI.InternalServerError);
    assert.equal(openaiErr.status, 500);
    sim.setFaults({ mode: 'none' });
  });

  void test('count:1 fails only the next request', async () => {
    sim.resetStats();
    sim.setFaults({ mode: 'error', count: 1 });
    await rejection(askOllama(sim, PROMPT));
    Decision.parse(JSON.parse(await askOllama(sim, PROMPT)));
    Decision.parse(JSON.parse(await askOllama(sim, PROMPT)));
    assert.equal(sim.stats().faultsInjected, 1);
  });

  void test('models: only the listed model is affected and others do not use up count', async () => {
    sim.setFaults({ mode: 'error', count: 1, models: ['llama3.2:3b'] });
    await askOllama(sim, 'ok', null, MODEL);
    await rejection(askOllama(sim, 'fails', null, 'llama3.2:3b'));
    await askOllama(sim, 'ok again', null, 'llama3.2:3b');
    sim.setFaults({ mode: 'none' });
  });

  void test('rate: seeded, so the same plan replays the same failure pattern', async () => {
    const pattern = async (): Promise<string> => {
      sim.setFaults({ mode: 'error', rate: 0.5, seed: 7 });
      let out = '';
      for (let i = 0; i < 16; i++) out += await askOllama(sim, 'x', null).then(() => '.', () => 'F');
      return out;
    };
    const first = await pattern();
    assert.equal(await pattern(), first);
    assert.match(first, /F/u);
    assert.match(first, /\./u);
    sim.setFaults({ mode: 'none' });
  });

  void test('timeout: openai client with timeout 300 ms gives up, then the server serves again', async () => {
    sim.resetStats();
    sim.setFaults({ mode: 'timeout', count: 1 });
    const started = performance.now();
    const err = await rejection(openaiFor(sim, { timeout: 300 }).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }));
    assert.ok(err instanceof OpenAI.APIConnectionTimeoutError, `got ${String(err)}`);
    assert.ok(performance.now() - started >= 250);
    assert.equal(sim.stats().faultsInjected, 1);
    assert.equal(sim.stats().inFlight, 0);
    const ok = await openaiFor(sim, { timeout: 5000 }).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    assert.match(ok.choices[0]?.message.content ?? '', /Симульована/u);
  });

  void test('timeout: ollama client aborted through its fetch signal rejects', async () => {
    sim.setFaults({ mode: 'timeout' });
    const controller = new AbortController();
    const ollama = new Ollama({ host: sim.url, fetch: (input, init) => fetch(input, { ...init, signal: controller.signal }) });
    const timer = setTimeout(() => controller.abort(), 300);
    const started = performance.now();
    const err = await rejection(ollama.chat({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: false }));
    clearTimeout(timer);
    assert.ok(err instanceof Error && err.name === 'AbortError', `got ${String(err)}`);
    assert.ok(performance.now() - started >= 250);
    sim.setFaults({ mode: 'none' });
  });

  void test('admin endpoints set faults, report stats and reset', async () => {
    const bad = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ mode: 'explode' }) });
    assert.equal(bad.status, 400);
    const set = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ mode: 'error', count: 2 }) });
    assert.equal(set.status, 200);
    await rejection(askOllama(sim, 'x'));
    const stats = z
      .object({ name: z.string(), requests: z.number(), faultsInjected: z.number(), faults: z.object({ mode: z.string(), remaining: z.number() }) })
      .parse(await (await fetch(`${sim.url}/_sim/stats`)).json());
    assert.equal(stats.faults.mode, 'error');
    assert.equal(stats.faults.remaining, 1);
    assert.ok(stats.faultsInjected >= 1);
    assert.equal((await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })).status, 200);
    assert.equal(sim.stats().requests, 0);
    assert.equal(sim.stats().faultsInjected, 0);
    await askOllama(sim, 'x'); // faults were switched off by the reset
  });
});

void describe('close()', () => {
  void test('releases held and in-flight requests so close resolves promptly', async () => {
    const sim = await startLlmSimulator({ latencyMs: 60_000, parallel: 1 });
    after(() => sim.close());
    const slow = rejection(askOllama(sim, 'slow'));
    const queued = rejection(askOllama(sim, 'queued'));
    sim.setFaults({ mode: 'timeout', count: 1 });
    const held = rejection(askOllama(sim, 'held'));
    for (let i = 0; i < 100 && sim.stats().requests < 3; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(sim.stats().inFlight, 1);
    assert.equal(sim.stats().queued, 1);
    const started = performance.now();
    await sim.close();
    assert.ok(performance.now() - started < 2000, 'close() must not wait for in-flight requests');
    for (const err of await Promise.all([slow, queued, held])) assert.ok(err instanceof Error);
    await sim.close(); // idempotent
  });

  void test('a child process exits on its own after close() despite a request in flight', async () => {
    const code = `
      const { startLlmSimulator } = require(${JSON.stringify(path.resolve(__dirname, '../src/llm-sim/server.ts'))});
      (async () => {
        const sim = await startLlmSimulator({ latencyMs: 60000 });
        fetch(sim.url + '/api/chat', { method: 'POST', body: JSON.stringify({ model: 'qwen3:8b', messages: [], stream: false }) }).catch(() => {});
        await new Promise((r) => setTimeout(r, 100));
        await sim.close();
        console.log('closed');
      })();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exit = await waitForExit(child, 15_000);
    assert.equal(exit, 0);
    assert.match(stdout, /closed/u);
  });
});

function waitForExit(child: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not exit within ${ms} ms`));
    }, ms);
    child.once('exit', (codeOrNull) => {
      clearTimeout(timer);
      resolve(codeOrNull);
    });
  });
}

async function freePortPair(): Promise<number> {
  const tryListen = (port: number): Promise<net.Server | undefined> =>
    new Promise((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(undefined));
      s.listen(port, '127.0.0.1', () => resolve(s));
    });
  const closeServer = (s: net.Server): Promise<void> => new Promise((r) => s.close(() => r()));
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await tryListen(0);
    if (!first) continue;
    const port = (first.address() as net.AddressInfo).port;
    const second = port < 65535 ? await tryListen(port + 1) : undefined;
    await closeServer(first);
    if (second) {
      await closeServer(second);
      return port;
    }
  }
  throw new Error('no free pair of consecutive ports');
}

void describe('CLI (main.ts)', () => {
  let child: ChildProcess | undefined;
  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  void test('--nodes 2 starts two named simulators on consecutive ports and exits cleanly on SIGTERM', async () => {
    const port = await freePortPair();
    const main = path.resolve(__dirname, '../src/llm-sim/main.ts');
    const proc = spawn(process.execPath, ['--import', 'tsx', main, '--port', String(port), '--nodes', '2', '--latency-ms', '5', '--name', 'cli'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LLM_SIM_PARALLEL: '3' },
    });
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const urls = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URLs in time; stderr: ${stderr}`)), 15_000);
      proc.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const lines = stdout.split('\n').filter((l) => l.startsWith('http'));
        if (lines.length >= 2) {
          clearTimeout(timer);
          resolve(lines);
        }
      });
      proc.once('exit', (c) => reject(new Error(`exited early with ${c}: ${stderr}`)));
    });
    assert.deepEqual(urls, [`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]);
    const bannerLines = stderr.split('\n').filter((l) => l.includes('NOT A REAL MODEL'));
    assert.equal(bannerLines.length, 1);
    assert.match(bannerLines[0] ?? '', /parallel=3/u);
    const names = await Promise.all(urls.map(async (u) => (await fetch(`${u}/api/tags`)).headers.get('x-llm-sim-node')));
    assert.deepEqual(names, ['cli-1', 'cli-2']);
    proc.kill('SIGTERM');
    assert.equal(await waitForExit(proc, 10_000), 0);
  });
});

void describe('instanceFor', () => {
  void test('zod recursive schema via $defs terminates and validates', () => {
    interface Category { name: string; children: Category[] }
    const Category: z.ZodType<Category> = z.object({ name: z.string().max(30), get children() { return z.array(Category); } });
    const schema = z.toJSONSchema(z.object({ root: Category, alt: Category.optional() }));
    assert.ok(JSON.stringify(schema).includes('$defs'), 'zod should have emitted $defs for the recursion');
    const value = instanceFor(schema, 'дерево категорій');
    z.object({ root: Category, alt: Category.optional() }).parse(value);
  });

  void test('$ref into definitions, type arrays, anyOf, const and numeric bounds', () => {
    const schema = {
      definitions: { qty: { type: 'integer', minimum: 3, maximum: 5 } },
      type: 'object',
      properties: {
        qty: { $ref: '#/definitions/qty' },
        maybe: { type: ['string', 'null'], maxLength: 8 },
        either: { anyOf: [{ type: 'number', exclusiveMinimum: 10, maximum: 11 }, { type: 'string' }] },
        fixed: { const: 'stała' },
        oldStyle: { type: 'number', minimum: 0, maximum: 1, exclusiveMinimum: true },
        nothing: { type: 'null' },
        flags: { type: 'array', items: { type: 'boolean' }, minItems: 4, maxItems: 4 },
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false },
      },
      required: ['qty'],
      additionalProperties: false,
    };
    const value = z
      .strictObject({
        qty: z.number().int().min(3).max(5),
        maybe: z.string().max(8),
        either: z.number().gt(10).max(11),
        fixed: z.literal('stała'),
        oldStyle: z.number().gt(0).max(1),
        nothing: z.null(),
        flags: z.array(z.boolean()).length(4),
        pair: z.tuple([z.string(), z.number().int()]),
      })
      .parse(instanceFor(schema, 'x'));
    assert.equal(value.maybe, 'Симульов');
  });

  void test('strings respect minLength/maxLength and formats; enums are stable per seed', () => {
    const S = z.object({
      short: z.string().min(1).max(5),
      long: z.string().min(200),
      code: z.string().regex(/^[A-Z]{3}-\d{3}$/u),
      when: z.iso.datetime(),
      site: z.url(),
      level: z.enum(['низький', 'середній', 'високий']),
      levels: z.array(z.enum(['a', 'b', 'c'])).min(3).max(3),
    });
    const schema = z.toJSONSchema(S);
    const a = S.parse(instanceFor(schema, 'перший запит'));
    assert.deepEqual(instanceFor(schema, 'перший запит'), a);
    assert.equal(a.code, 'SIM-001');
    const levels = new Set(Array.from({ length: 20 }, (_, i) => S.parse(instanceFor(schema, `запит ${i}`)).level));
    assert.ok(levels.size >= 2);
  });
});
