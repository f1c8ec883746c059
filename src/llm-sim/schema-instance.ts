/**
 * Builds a JSON value that validates against a JSON Schema, so the LLM simulator can answer
 * structured-output requests with something the caller's own validator (usually zod) accepts.
 *
 * The output is deterministic in (schema, seedText): the same prompt always gets the same answer,
 * which keeps tests and benchmark runs reproducible, while different prompts can land on different
 * enum values so code paths that branch on a model's decision still get exercised.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

type Schema = Record<string, unknown>;

interface Ctx {
  root: unknown;
  seed: string;
  fragment: string;
  /** $ref chain currently being expanded, to stop recursive definitions from looping forever. */
  refDepth: number;
  depth: number;
}

const SIM_PREFIX = 'Симульована відповідь';
/** Past this nesting only required parts are generated, so recursive schemas terminate. */
const MAX_DEPTH = 8;
const MAX_REF_DEPTH = 6;
/** A schema that requires infinite nesting has no instance; bail out instead of overflowing the stack. */
const HARD_DEPTH_LIMIT = 64;
const DEFAULT_ARRAY_LENGTH = 2;

/** FNV-1a: tiny, stable across Node versions, good enough to spread prompts over enum values. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Array.isArray narrows to any[]; this keeps elements `unknown` so they must be checked. */
function list(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? (value as unknown[]) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Prompt fragment used inside generated strings; whitespace collapsed so it reads as one phrase. */
export function promptFragment(text: string, maxChars = 60): string {
  const flat = text.replace(/\s+/gu, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= maxChars ? flat : `${chars.slice(0, maxChars).join('').trimEnd()}…`;
}

/**
 * Cuts by code points but measures UTF-16 length: zod's .max() counts UTF-16 units while JSON
 * Schema's maxLength counts code points, and staying within the UTF-16 bound satisfies both.
 */
function fitLength(text: string, minLength: number, maxLength: number): string {
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > maxLength) break;
    out += ch;
  }
  const trimmed = out.trimEnd();
  if (Array.from(trimmed).length >= minLength) out = trimmed;
  const filler = ' симуляція';
  let i = 0;
  while (Array.from(out).length < minLength) {
    const ch = filler[i % filler.length] ?? '.';
    if (out.length + ch.length > maxLength) break;
    out += ch;
    i++;
  }
  return out;
}

function resolveRef(ref: string, ctx: Ctx): unknown {
  if (ref === '#') return ctx.root;
  if (!ref.startsWith('#/')) return {};
  let node: unknown = ctx.root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/gu, '/').replace(/~0/gu, '~');
    if (!isSchema(node)) return {};
    node = node[key];
  }
  return node ?? {};
}

function pickIndex(length: number, ctx: Ctx, path: string): number {
  return length <= 1 ? 0 : hashText(`${ctx.seed}\u0000${path}`) % length;
}

function primaryType(schema: Schema): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const types = t.filter((x): x is string => typeof x === 'string');
    // A useful value beats null when both are allowed: callers mostly test the non-null path.
    return types.find((x) => x !== 'null') ?? types[0];
  }
  if (isSchema(schema.properties) || schema.additionalProperties !== undefined || schema.required !== undefined) {
    return 'object';
  }
  if (schema.items !== undefined || Array.isArray(schema.prefixItems)) return 'array';
  if (
    num(schema.minimum) !== undefined || num(schema.maximum) !== undefined ||
    num(schema.exclusiveMinimum) !== undefined || num(schema.exclusiveMaximum) !== undefined
  ) {
    return 'number';
  }
  return undefined;
}

function build(schemaIn: unknown, ctx: Ctx, path: string): JsonValue {
  if (schemaIn === true || schemaIn === undefined) return simulatedString(ctx, 0, Infinity);
  if (!isSchema(schemaIn) || ctx.depth > HARD_DEPTH_LIMIT) return null;
  let schema: Schema = schemaIn;

  if (typeof schema.$ref === 'string') {
    if (ctx.refDepth >= MAX_REF_DEPTH) return minimalFor(resolveRef(schema.$ref, ctx), ctx, path);
    const target = resolveRef(schema.$ref, ctx);
    const { $ref: _ref, ...siblings } = schema;
    const merged = isSchema(target) ? { ...target, ...siblings } : siblings;
    return build(merged, { ...ctx, refDepth: ctx.refDepth + 1 }, path);
  }

  if ('const' in schema) return toJson(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return toJson(schema.enum[pickIndex(schema.enum.length, ctx, path)]);
  }

  const branches = list(schema.anyOf) ?? list(schema.oneOf);
  if (branches && branches.length > 0) {
    const { anyOf: _a, oneOf: _o, ...rest } = schema;
    // Deep inside a recursive structure, a terminal branch (e.g. null) ends the recursion.
    const branch = ctx.depth >= MAX_DEPTH ? (branches.find(isTerminal) ?? branches[0]) : branches[0];
    return build(isSchema(branch) ? { ...rest, ...branch } : branch, ctx, path);
  }

  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const { allOf, ...rest } = schema;
    schema = allOf.reduce<Schema>((acc, part) => mergeSchemas(acc, resolveDeep(part, ctx)), rest);
  }

  switch (primaryType(schema)) {
    case 'object':
      return buildObject(schema, ctx, path);
    case 'array':
      return buildArray(schema, ctx, path);
    case 'integer':
      return buildNumber(schema, ctx, path, true);
    case 'number':
      return buildNumber(schema, ctx, path, false);
    case 'boolean':
      return pickIndex(2, ctx, path) === 0;
    case 'null':
      return null;
    default:
      return buildString(schema, ctx, path);
  }
}

function resolveDeep(part: unknown, ctx: Ctx): Schema {
  if (!isSchema(part)) return {};
  if (typeof part.$ref === 'string') {
    const target = resolveRef(part.$ref, ctx);
    return isSchema(target) ? { ...target, ...part, $ref: undefined } : {};
  }
  return part;
}

/** allOf merge: enough for zod intersections (object ∧ object); later constraints win otherwise. */
function mergeSchemas(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a, ...b };
  delete out.$ref;
  if (isSchema(a.properties) || isSchema(b.properties)) {
    out.properties = { ...(isSchema(a.properties) ? a.properties : {}), ...(isSchema(b.properties) ? b.properties : {}) };
  }
  const req = [a.required, b.required].flatMap((r) => list(r) ?? []);
  if (req.length > 0) out.required = [...new Set(req)];
  return out;
}

function isTerminal(branch: unknown): boolean {
  return isSchema(branch) && branch.$ref === undefined && (branch.type === 'null' || primaryType(branch) !== 'object');
}

/** What to emit once $ref recursion is too deep: the smallest value the target still accepts. */
function minimalFor(target: unknown, ctx: Ctx, path: string): JsonValue {
  return build(target, { ...ctx, depth: Math.max(MAX_DEPTH, ctx.depth + 1) }, path);
}

function buildObject(schema: Schema, ctx: Ctx, path: string): JsonValue {
  const props = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  const deep = ctx.depth >= MAX_DEPTH;
  const child: Ctx = { ...ctx, depth: ctx.depth + 1 };
  const out: { [key: string]: JsonValue } = {};
  for (const [key, propSchema] of Object.entries(props)) {
    if (deep && !required.has(key)) continue;
    out[key] = build(propSchema, child, `${path}.${key}`);
  }
  // A required name missing from properties is still required; fill it from additionalProperties.
  for (const key of required) {
    if (key in out) continue;
    const extra = schema.additionalProperties;
    out[key] = build(isSchema(extra) || extra === true ? extra : {}, child, `${path}.${key}`);
  }
  return out;
}

function buildArray(schema: Schema, ctx: Ctx, path: string): JsonValue {
  const minItems = num(schema.minItems) ?? 0;
  const maxItems = num(schema.maxItems) ?? Infinity;
  const prefix = list(schema.prefixItems) ?? [];
  const deep = ctx.depth >= MAX_DEPTH;
  const wanted = Math.max(minItems, Math.min(maxItems, deep ? 0 : Math.max(DEFAULT_ARRAY_LENGTH, prefix.length)));
  const itemSchema = schema.items;
  const child: Ctx = { ...ctx, depth: ctx.depth + 1 };
  const out: JsonValue[] = [];
  const seen = new Set<string>();
  const unique = schema.uniqueItems === true;
  for (let i = 0, attempt = 0; out.length < wanted && attempt < wanted * 8 + 8; attempt++) {
    const idx = out.length;
    const s = idx < prefix.length ? prefix[idx] : itemSchema;
    if (s === false) break; // tuple closed: no more items allowed
    const value = build(s, child, `${path}[${idx}]${attempt > i ? `#${attempt}` : ''}`);
    if (unique) {
      const key = JSON.stringify(value);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    out.push(value);
    i = attempt + 1;
  }
  return out;
}

function buildNumber(schema: Schema, ctx: Ctx, path: string, integer: boolean): number {
  const step = integer ? 1 : 0.01;
  const exMin = num(schema.exclusiveMinimum) ?? (schema.exclusiveMinimum === true ? num(schema.minimum) : undefined);
  const exMax = num(schema.exclusiveMaximum) ?? (schema.exclusiveMaximum === true ? num(schema.maximum) : undefined);
  const candidatesLo = [schema.exclusiveMinimum === true ? undefined : num(schema.minimum), exMin === undefined ? undefined : exMin + step]
    .filter((x): x is number => x !== undefined);
  const candidatesHi = [schema.exclusiveMaximum === true ? undefined : num(schema.maximum), exMax === undefined ? undefined : exMax - step]
    .filter((x): x is number => x !== undefined);
  let lo = candidatesLo.length > 0 ? Math.max(...candidatesLo) : undefined;
  let hi = candidatesHi.length > 0 ? Math.min(...candidatesHi) : undefined;
  if (integer) {
    lo = lo === undefined ? undefined : Math.ceil(lo);
    hi = hi === undefined ? undefined : Math.floor(hi);
  }
  // Keep answers human-sized (quantities, prices) even when the schema only says "any safe integer".
  if (lo === undefined && hi === undefined) { lo = 1; hi = 100; }
  else if (lo === undefined) lo = (hi ?? 0) - 100;
  else if (hi === undefined) hi = lo + 100;
  if (hi === undefined || lo === undefined) return 0;
  if (hi - lo > 1000) {
    if (lo <= 1 && hi >= 100) { lo = 1; hi = 100; }
    else if (lo > 1) hi = lo + 100;
    else lo = hi - 100;
  }
  if (hi < lo) return lo;
  const h = hashText(`${ctx.seed}\u0000${path}`);
  let value = integer ? lo + (h % (Math.floor(hi - lo) + 1)) : lo + ((h % 10_000) / 10_000) * (hi - lo);
  if (!integer) value = Math.round(value * 100) / 100;
  const multipleOf = num(schema.multipleOf);
  if (multipleOf !== undefined && multipleOf > 0) {
    const up = Math.ceil(lo / multipleOf) * multipleOf;
    const snapped = Math.round(value / multipleOf) * multipleOf;
    value = snapped >= lo && snapped <= hi ? snapped : up;
    // Float steps like 0.1 leave noise (0.30000000000000004) that strict validators reject.
    value = Number(value.toPrecision(12));
  }
  return Math.min(hi, Math.max(lo, value));
}

function uuidFrom(ctx: Ctx, path: string): string {
  const hex = [0, 1, 2, 3].map((i) => hashText(`${ctx.seed}\u0000${path}\u0000${i}`).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function formatted(format: string, ctx: Ctx, path: string): string | undefined {
  const day = 1 + (hashText(`${ctx.seed}\u0000${path}`) % 28);
  const dd = String(day).padStart(2, '0');
  switch (format) {
    case 'date':
      return `2025-06-${dd}`;
    case 'date-time':
      return `2025-06-${dd}T10:00:00Z`;
    case 'time':
      return '10:00:00';
    case 'email':
    case 'idn-email':
      return 'sim@example.com';
    case 'uri':
    case 'url':
    case 'iri':
    case 'uri-reference':
      return 'https://example.com/sim';
    case 'hostname':
      return 'example.com';
    case 'uuid':
      return uuidFrom(ctx, path);
    case 'ipv4':
      return '192.0.2.1';
    case 'ipv6':
      return '2001:db8::1';
    case 'duration':
      return 'P1D';
    default:
      return undefined;
  }
}

/** A field this long is prose (a message, a narrative): restating the whole prompt keeps its facts, as a model would. */
const PROSE_MIN_MAX_LENGTH = 1000;

function simulatedString(ctx: Ctx, minLength: number, maxLength: number): string {
  const body = maxLength >= PROSE_MIN_MAX_LENGTH ? ctx.seed.trim() : ctx.fragment;
  const text = body ? `${SIM_PREFIX}: ${body}` : `${SIM_PREFIX}.`;
  return fitLength(text, minLength, maxLength);
}

function buildString(schema: Schema, ctx: Ctx, path: string): string {
  const minLength = num(schema.minLength) ?? 0;
  const maxLength = num(schema.maxLength) ?? Infinity;
  const fmt = typeof schema.format === 'string' ? formatted(schema.format, ctx, path) : undefined;
  const pattern = typeof schema.pattern === 'string' ? compile(schema.pattern) : undefined;
  const fits = (s: string): boolean =>
    s.length <= maxLength && Array.from(s).length >= minLength && (pattern === undefined || pattern.test(s));
  if (fmt !== undefined && fits(fmt)) return fmt;
  const text = simulatedString(ctx, minLength, maxLength);
  if (pattern === undefined || pattern.test(text)) return text;
  // Without a regex generator, try a few shapes that common patterns (codes, slugs, digits) accept.
  const digits = String(hashText(`${ctx.seed}\u0000${path}`)).padStart(10, '0');
  const candidates = [
    'sim', 'SIM', 'Sim', 'simulated', 'sim-1', 'SIM-001', 'sim_1', 'A1', digits, digits.slice(0, 6), digits.slice(0, 4),
    'симуляція', 'Симуляція', 'a', '0', '1',
  ];
  for (const base of candidates) {
    const candidate = fitLength(base, minLength, maxLength);
    if (fits(candidate)) return candidate;
  }
  return text;
}

function compile(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    try {
      return new RegExp(pattern);
    } catch {
      return undefined;
    }
  }
}

function toJson(value: unknown): JsonValue {
  if (value === undefined) return null;
  // Round-trip drops anything non-JSON (functions, undefined members) that a schema literal might hold.
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/**
 * A value that validates against `schema`; `seedText` (usually the last user message) makes enum
 * choices and numbers vary per prompt and supplies the fragment echoed in generated strings.
 */
export function instanceFor(schema: unknown, seedText: string): JsonValue {
  const ctx: Ctx = { root: schema, seed: seedText, fragment: promptFragment(seedText), refDepth: 0, depth: 0 };
  return build(schema, ctx, '$');
}
