/**
 * The marketing_campaign crew's deterministic decisions: demand, budget split, discounts, promo
 * codes, KPI targets, slugs, and the texts used when an LLM answer is unavailable. Pure code (no
 * I/O), shared by agent activities and the workflow, so both always agree and replays are exact.
 */
import type {
  CampaignChannelContentInput,
  CampaignChannelContentOutput,
  CampaignKpiBriefInput,
  CampaignKpiBriefOutput,
  CampaignPlanInput,
  CampaignPlanOutput,
  CampaignSeoInput,
  CampaignSeoOutput,
  ChannelLimits,
} from '../llm/tasks/campaigns.contract';
import { applyBasisPoints } from '../shared/money';
import type { CampaignChannel, CampaignObjective, KpiUnit } from './contract';

// ---- objective → uplift, discount ceiling, primary metric ---------------------------------------

interface ObjectiveRule {
  /** Promo demand multiplier over the baseline, in basis points (18000 = 1.8×). */
  upliftBp: number;
  /** The deepest discount the campaign may give; Finance lowers it where the margin cannot carry it. */
  maxDiscountBp: number;
  primaryMetric: string;
}

export const OBJECTIVE_RULES: Record<CampaignObjective, ObjectiveRule> = {
  awareness: { upliftBp: 13_000, maxDiscountBp: 1_000, primaryMetric: 'reach' },
  sales: { upliftBp: 18_000, maxDiscountBp: 1_500, primaryMetric: 'revenue' },
  launch: { upliftBp: 15_000, maxDiscountBp: 1_000, primaryMetric: 'orders' },
  clear_stock: { upliftBp: 22_000, maxDiscountBp: 3_000, primaryMetric: 'units' },
};

/** Each extra channel adds reach, with diminishing returns: +5 % uplift per channel, at most +20 %. */
export function upliftBpFor(objective: CampaignObjective, channels: number): number {
  return OBJECTIVE_RULES[objective].upliftBp + Math.min(2_000, 500 * Math.max(0, channels - 1));
}

// ---- channels ----------------------------------------------------------------------------------

/** Relative share of the paid budget per channel (normalised over the channels a campaign uses). */
export const CHANNEL_WEIGHTS: Record<CampaignChannel, number> = { instagram: 35, facebook: 25, telegram: 15, email: 10, site_banner: 15 };

/** Cost per thousand impressions in kopiykas; email reach is the real mailing list instead. */
export const CPM_KOP: Record<Exclude<CampaignChannel, 'email'>, number> = { instagram: 9_000, facebook: 7_000, telegram: 5_000, site_banner: 2_000 };

/** Expected orders per reached person, in basis points. */
export const CONVERSION_BP: Record<CampaignChannel, number> = { instagram: 30, facebook: 25, telegram: 60, email: 200, site_banner: 80 };

export const CHANNEL_LIMITS: Record<CampaignChannel, ChannelLimits> = {
  instagram: { headline: 100, body: 2_200, callToAction: 40, hashtags: 10 },
  facebook: { headline: 100, body: 3_000, callToAction: 40, hashtags: 5 },
  telegram: { headline: 100, body: 4_000, callToAction: 40, hashtags: 5 },
  email: { headline: 90, body: 5_000, callToAction: 40, hashtags: 0 },
  site_banner: { headline: 60, body: 140, callToAction: 30, hashtags: 0 },
};

/** Long-form channels must name the promo code and a promoted product; a banner has no room to. */
export function isLongForm(channel: CampaignChannel): boolean {
  return CHANNEL_LIMITS[channel].body >= 1_000;
}

const CHANNEL_ABBR: Record<CampaignChannel, string> = { instagram: 'IG', facebook: 'FB', telegram: 'TG', email: 'EM', site_banner: 'WEB' };

export const CHANNEL_LABEL: Record<CampaignChannel, string> = {
  instagram: 'Instagram', facebook: 'Facebook', telegram: 'Telegram', email: 'email', site_banner: 'site banner',
};

/** Splits `total` by integer weights with the largest-remainder method (ties to the earlier entry), so parts sum to total. */
export function splitByWeights(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum <= 0) return weights.map(() => 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  const order = weights
    .map((w, i) => ({ i, rem: (total * w) % sum }))
    .sort((a, b) => b.rem - a.rem || a.i - b.i);
  let left = total - parts.reduce((s, p) => s + p, 0);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] ?? 0) + 1;
    left -= 1;
  }
  return parts;
}

// ---- dates -------------------------------------------------------------------------------------

export function dayNumber(isoDate: string): number {
  const [y, m, d] = isoDate.split('-').map(Number);
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) / 86_400_000;
}

export function campaignDays(startDate: string, endDate: string): number {
  return dayNumber(endDate) - dayNumber(startDate) + 1;
}

// ---- the Assistant's code-decided plan -----------------------------------------------------------

export interface CampaignPlanMetrics {
  objective: CampaignObjective;
  days: number;
  upliftBp: number;
  maxDiscountBp: number;
  primaryMetric: string;
  metrics: string[];
  channelBudgets: { channel: CampaignChannel; budgetKop: number }[];
}

export function planMetrics(input: { objective: CampaignObjective; channels: readonly CampaignChannel[]; budgetKop: number; startDate: string; endDate: string }): CampaignPlanMetrics {
  const rule = OBJECTIVE_RULES[input.objective];
  const budgets = splitByWeights(input.budgetKop, input.channels.map((c) => CHANNEL_WEIGHTS[c]));
  const metrics = ['reach', 'orders', 'conversion', 'units', 'revenue', 'roi'];
  return {
    objective: input.objective,
    days: campaignDays(input.startDate, input.endDate),
    upliftBp: upliftBpFor(input.objective, input.channels.length),
    maxDiscountBp: rule.maxDiscountBp,
    primaryMetric: rule.primaryMetric,
    // The primary metric first: it is what the campaign is judged by.
    metrics: [rule.primaryMetric, ...metrics.filter((m) => m !== rule.primaryMetric)],
    channelBudgets: input.channels.map((channel, i) => ({ channel, budgetKop: budgets[i] ?? 0 })),
  };
}

// ---- Warehouse: expected promo demand ------------------------------------------------------------

/** Units per 1000 days a product sells without promotion when it has no sales history yet. */
const DEFAULT_BASELINE_MILLI: Record<string, number> = { bakery: 3_000, dairy: 1_500, cheese: 800, charcuterie: 700, frozen: 600 };
const DEFAULT_BASELINE_MILLI_OTHER = 400;
export const BASELINE_WINDOW_DAYS = 28;

/** Baseline daily sales in thousandths of a unit: the last 28 days' sales, never below the category's floor. */
export function baselineMilliPerDay(soldLast28d: number, category: string): number {
  const observed = Math.floor((soldLast28d * 1_000 + BASELINE_WINDOW_DAYS / 2) / BASELINE_WINDOW_DAYS);
  return Math.max(observed, DEFAULT_BASELINE_MILLI[category] ?? DEFAULT_BASELINE_MILLI_OTHER);
}

/** Expected units sold during the campaign: baseline × uplift × days, rounded up. */
export function expectedPromoUnits(baselineMilli: number, upliftBp: number, days: number): number {
  return Math.ceil((baselineMilli * upliftBp * days) / 10_000_000);
}

/** What would have sold anyway over the campaign's days. */
export function baselineUnits(baselineMilli: number, days: number): number {
  return Math.ceil((baselineMilli * days) / 1_000);
}

// ---- Finance: discounts never below cost, promo codes ----------------------------------------------

/** The deepest discount (bp) that keeps the price, after half-up rounding, at or above cost. */
export function maxDiscountBpAboveCost(priceKop: number, costKop: number): number {
  if (costKop >= priceKop) return 0;
  let bp = Math.min(10_000, Math.floor(((priceKop - costKop) * 10_000) / priceKop));
  // The estimate ignores half-up rounding, which can tip it either way by a few bp.
  while (bp > 0 && priceKop - applyBasisPoints(priceKop, bp) < costKop) bp -= 1;
  while (bp < 10_000 && priceKop - applyBasisPoints(priceKop, bp + 1) >= costKop) bp += 1;
  return bp;
}

/** Campaign discount: the objective's ceiling, lowered to what the margin carries, in whole percent. */
export function campaignDiscount(priceKop: number, costKop: number, ceilingBp: number): { discountBp: number; promoPriceKop: number } {
  const capped = Math.min(ceilingBp, maxDiscountBpAboveCost(priceKop, costKop));
  const discountBp = capped - (capped % 100);
  return { discountBp, promoPriceKop: priceKop - applyBasisPoints(priceKop, discountBp) };
}

/** FNV-1a, 32 bit: a short stable fingerprint that needs no Node crypto (workflows use it too). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * One promo code per channel, derived from the campaign id: SMM can quote it before Finance issues
 * it, and the fingerprint keeps ids that normalise alike ("a-b", "ab") apart.
 */
export function promoCodeFor(campaignId: string, channel: CampaignChannel): string {
  const stem = campaignId.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 14) || 'GF';
  const fingerprint = fnv1a(campaignId).toString(36).toUpperCase().padStart(4, '0').slice(-4);
  return `${CHANNEL_ABBR[channel]}-${stem}-${fingerprint}`;
}

export const MAX_UNITS_PER_USE = 3;

/**
 * Usage limits per channel code such that even if every redemption takes the most units allowed,
 * the codes together never promise more than the sellable stock (when stock allows a code per channel).
 */
export function promoCodeLimits(channels: readonly CampaignChannel[], sellableUnits: number): { maxUnitsPerUse: number; usageLimits: number[] } {
  const maxUnitsPerUse = sellableUnits >= MAX_UNITS_PER_USE * channels.length ? MAX_UNITS_PER_USE : 1;
  const total = Math.max(channels.length, Math.floor(sellableUnits / maxUnitsPerUse));
  const extra = splitByWeights(total - channels.length, channels.map((c) => CHANNEL_WEIGHTS[c]));
  return { maxUnitsPerUse, usageLimits: extra.map((e) => e + 1) };
}

// ---- Analytics: KPI targets ----------------------------------------------------------------------

export interface KpiTarget {
  code: string;
  label: string;
  channel?: CampaignChannel;
  target: number;
  unit: KpiUnit;
  measuredBy: string;
}

export interface KpiInputs {
  budgetKop: number;
  startDate: string;
  endDate: string;
  days: number;
  emailAudience: number;
  channelBudgets: { channel: CampaignChannel; budgetKop: number }[];
  codes: { channel: CampaignChannel; code: string; usageLimit: number }[];
  products: { targetUnits: number; promoPriceKop: number; costKop: number; baselineMilli: number }[];
}

export function computeKpis(k: KpiInputs): KpiTarget[] {
  const kpis: KpiTarget[] = [];
  const units = k.products.reduce((s, p) => s + p.targetUnits, 0);
  const channels = k.channelBudgets.map(({ channel, budgetKop }) => {
    const reach = channel === 'email' ? k.emailAudience : Math.floor((budgetKop * 1_000) / CPM_KOP[channel]);
    const code = k.codes.find((c) => c.channel === channel);
    return { channel, reach, code, orders: Math.min(code?.usageLimit ?? 0, Math.floor((reach * CONVERSION_BP[channel]) / 10_000)) };
  });
  // Every order takes at least one unit: more orders than target units would be a promise stock cannot keep.
  const wanted = channels.reduce((s, c) => s + c.orders, 0);
  if (wanted > units) {
    const capped = splitByWeights(units, channels.map((c) => c.orders));
    channels.forEach((c, i) => { c.orders = capped[i] ?? 0; });
  }
  let totalReach = 0;
  let totalOrders = 0;
  for (const { channel, reach, code, orders } of channels) {
    totalReach += reach;
    totalOrders += orders;
    kpis.push({
      code: `reach:${channel}`, label: `Reach on ${CHANNEL_LABEL[channel]}`, channel, target: reach, unit: 'people',
      measuredBy: channel === 'email'
        ? `recipients delivered in the ${k.startDate}–${k.endDate} send (ESP report); audience = buyers with an email address`
        : `unique people reached, ${CHANNEL_LABEL[channel]} ad report for ${k.startDate}–${k.endDate}; target = channel budget ÷ CPM ${CPM_KOP[channel] / 100} UAH`,
    });
    kpis.push({
      code: `orders:${channel}`, label: `Orders from ${CHANNEL_LABEL[channel]}`, channel, target: orders, unit: 'orders',
      measuredBy: `orders redeeming promo code ${code?.code ?? '-'} (promo_codes.times_used); target = reach × ${CONVERSION_BP[channel] / 100} %, at most the code's usage limit and the target units`,
    });
  }
  const revenue = k.products.reduce((s, p) => s + p.targetUnits * p.promoPriceKop, 0);
  const incrementalMargin = k.products.reduce(
    (s, p) => s + Math.max(0, p.targetUnits - baselineUnits(p.baselineMilli, k.days)) * (p.promoPriceKop - p.costKop), 0);
  kpis.push({
    code: 'conversion', label: 'Conversion of reach to orders', target: totalReach > 0 ? Math.floor((totalOrders * 10_000) / totalReach) : 0, unit: 'bp',
    measuredBy: 'promo-code orders ÷ people reached, all channels',
  });
  kpis.push({
    code: 'units', label: 'Units sold at campaign prices', target: units, unit: 'units',
    measuredBy: `order_lines of the campaign's products with a campaign promo code, ${k.startDate}–${k.endDate}; target = expected demand capped by sellable stock`,
  });
  kpis.push({
    code: 'revenue', label: 'Revenue at campaign prices', target: revenue, unit: 'kop',
    measuredBy: 'Σ order line totals net of discounts for orders with a campaign promo code (ledger sale transactions)',
  });
  kpis.push({
    code: 'roi', label: 'Return on the media budget', target: Math.floor(((incrementalMargin - k.budgetKop) * 10_000) / k.budgetKop), unit: 'bp',
    measuredBy: '(margin on units above the 28-day baseline − media budget) ÷ media budget',
  });
  return kpis;
}

export function formatKpiTarget(target: number, unit: KpiUnit): string {
  switch (unit) {
    case 'kop': {
      const abs = Math.abs(target);
      return `${target < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} UAH`;
    }
    case 'bp':
      return `${(target / 100).toFixed(2)} %`;
    default:
      return `${target} ${unit}`;
  }
}

// ---- SEO: slugs and limits -------------------------------------------------------------------------

const TRANSLIT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'h', ґ: 'g', д: 'd', е: 'e', є: 'ie', ж: 'zh', з: 'z', и: 'y', і: 'i', ї: 'i', й: 'i',
  к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch',
  ш: 'sh', щ: 'shch', ь: '', ю: 'iu', я: 'ia', ы: 'y', э: 'e', ё: 'io', ъ: '', "'": '', '’': '', 'ʼ': '',
};

/** Lowercase Latin slug (Ukrainian transliterated the national way), at most `max` characters. */
export function slugify(text: string, max: number): string {
  const latin = Array.from(text.toLowerCase()).map((ch) => TRANSLIT[ch] ?? ch).join('');
  return latin.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/g, '');
}

/** The landing page slug: the campaign name, then its id so two campaigns with one name never collide. */
export function campaignSlug(name: string, campaignId: string): string {
  const base = slugify(name, 60) || 'campaign';
  const id = slugify(campaignId, 19) || 'c';
  return base.endsWith(id) ? base : `${base}-${id}`;
}

export const SEO_LIMITS = { title: 60, metaDescription: 160, h1: 70, keyword: 40, keywords: 8, question: 150, answer: 500 } as const;

/** Cuts text to `max` UTF-16 units on a word boundary when one is near, with an ellipsis. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

// ---- the "never promote what is not in stock" guard ---------------------------------------------

/** Catalogue SKUs look like GF-HON-0001; any such token in a text must be a promoted one. */
const CATALOGUE_SKU = /\bGF-[A-Z]{3}-\d{4}\b/g;

/**
 * Returns a reason when any of `texts` mentions a forbidden product (by SKU, or by name unless that
 * name is part of a promoted product's name, where it cannot be told apart) or a catalogue SKU
 * that is not promoted.
 */
export function forbiddenMention(texts: readonly string[], promoted: readonly { sku: string; name: string }[], forbidden: readonly { sku: string; name: string }[]): string | undefined {
  const all = texts.join('\n');
  const lower = all.toLowerCase();
  for (const f of forbidden) {
    if (lower.includes(f.sku.toLowerCase())) return `mentions ${f.sku}, which has no stock for this campaign`;
    const name = f.name.toLowerCase();
    const ambiguous = promoted.some((p) => p.name.toLowerCase().includes(name));
    if (!ambiguous && name.length >= 4 && lower.includes(name)) return `mentions "${f.name}", which has no stock for this campaign`;
  }
  const promotedSkus = new Set(promoted.map((p) => p.sku.toUpperCase()));
  for (const match of all.toUpperCase().matchAll(CATALOGUE_SKU)) {
    if (!promotedSkus.has(match[0])) return `mentions ${match[0]}, which is not a product of this campaign`;
  }
  return undefined;
}

export function normalizeHashtags(tags: readonly string[], max: number): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    const word = tag.replace(/[^\p{L}\p{N}_]/gu, '').slice(0, 39);
    if (word.length < 2) continue;
    const normalized = `#${word}`;
    if (!out.some((t) => t.toLowerCase() === normalized.toLowerCase())) out.push(normalized);
    if (out.length >= max) break;
  }
  return out;
}

// ---- fallbacks: what each LLM step uses when the model is unavailable or wrong -------------------

export function fallbackPlan(input: CampaignPlanInput): CampaignPlanOutput {
  const uk = input.language === 'uk';
  const channels = input.channels.map((c) => `${CHANNEL_LABEL[c.channel]} (${c.budget})`).join(', ');
  return {
    summary: clip(uk
      ? `Кампанія «${input.campaignName}» з ${input.startDate} по ${input.endDate} (${input.days} дн.): ${input.goal} ` +
        `Товари: ${input.products.map((p) => p.name).join(', ')}. Канали: ${channels}; бюджет ${input.budget}. ` +
        `Знижки до ${input.maxDiscountPercent}% лише там, де маржа це дозволяє. Головна метрика — ${input.metrics[0] ?? 'revenue'}.`
      : `Campaign "${input.campaignName}" from ${input.startDate} to ${input.endDate} (${input.days} days): ${input.goal} ` +
        `Products: ${input.products.map((p) => p.name).join(', ')}. Channels: ${channels}; budget ${input.budget}. ` +
        `Discounts up to ${input.maxDiscountPercent}% only where the margin allows. Primary metric: ${input.metrics[0] ?? 'revenue'}.`, 1_500),
    steps: uk
      ? ['Склад підтверджує, що залишки й терміни придатності витримають попит акції',
        'SMM готує публікації для кожного каналу з реальними цінами та наявністю',
        'SEO готує посадкову сторінку: заголовок, опис, метадані, адресу',
        'Фінанси встановлюють ціни акції (не нижче собівартості) та промокоди з лімітами',
        'Аналітика фіксує цілі KPI і спосіб їх вимірювання']
      : ['Warehouse confirms stock and expiry can carry the promo demand',
        'SMM writes each channel\'s content from real prices and stock',
        'SEO prepares the landing page: title, description, metadata, URL',
        'Finance sets campaign prices (never below cost) and promo codes with limits',
        'Analytics fixes the KPI targets and how they are measured'],
    audience: clip(uk
      ? `Покупці категорій ${[...new Set(input.products.map((p) => p.category))].join(', ')} у каналах ${channels}.`
      : `Buyers of ${[...new Set(input.products.map((p) => p.category))].join(', ')} on ${channels}.`, 300),
  };
}

export function fallbackChannelContent(input: CampaignChannelContentInput): CampaignChannelContentOutput {
  const uk = input.language === 'uk';
  const limits = input.limits;
  const discount = input.maxDiscountPercent > 0
    ? (uk ? `знижка до ${input.maxDiscountPercent}%` : `up to ${input.maxDiscountPercent}% off`)
    : (uk ? 'ціни акції' : 'campaign prices');
  const url = `greenfood.ua/${input.landingPath}`;
  if (!isLongForm(input.channel)) {
    return {
      headline: clip(`${input.campaignName}: ${discount}`, limits.headline),
      body: clip(uk
        ? `Промокод ${input.promoCode} · ${discount} · ${input.startDate}–${input.endDate}`
        : `Code ${input.promoCode} · ${discount} · ${input.startDate}–${input.endDate}`, limits.body),
      callToAction: clip(uk ? 'До акції' : 'Shop the offer', limits.callToAction),
      hashtags: [],
    };
  }
  const lines = input.products.map((p) =>
    `• ${p.name} — ${p.price}${p.limited ? (uk ? ' (кількість обмежена)' : ' (limited quantity)') : ''}`);
  const body = uk
    ? [`${input.campaignName}: з ${input.startDate} по ${input.endDate} — ${discount} за промокодом ${input.promoCode}.`, '', ...lines, '',
      `Крафтові продукти від українських виробників, зі складів GREENFOOD. Деталі: ${url}`]
    : [`${input.campaignName}: ${input.startDate} to ${input.endDate} — ${discount} with code ${input.promoCode}.`, '', ...lines, '',
      `Craft food from Ukrainian producers, shipped from GREENFOOD hubs. Details: ${url}`];
  const text = body.join('\n');
  return {
    headline: clip(`${input.campaignName}: ${discount}`, limits.headline),
    body: text.length <= limits.body ? text : clipLines(body, limits.body),
    callToAction: clip(uk ? 'Купити зі знижкою' : 'Buy now', limits.callToAction),
    hashtags: ['#GREENFOOD', uk ? '#крафтовіпродукти' : '#craftfood', uk ? '#зроблевукраїні' : '#madeinukraine'].slice(0, limits.hashtags),
  };
}

/** Keeps whole lines (the promo line first) within `max`, so a long product list never cuts the code. */
function clipLines(lines: readonly string[], max: number): string {
  const out: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (length + line.length + 1 > max) break;
    out.push(line);
    length += line.length + 1;
  }
  return out.join('\n');
}

export function fallbackSeo(input: CampaignSeoInput): CampaignSeoOutput {
  const uk = input.language === 'uk';
  const names = input.products.map((p) => p.name);
  const categories = [...new Set(input.products.map((p) => p.category))];
  const discount = input.maxDiscountPercent > 0 ? (uk ? ` до −${input.maxDiscountPercent}%` : ` up to ${input.maxDiscountPercent}% off`) : '';
  const title = clip(`${input.campaignName}${discount} | GREENFOOD`, SEO_LIMITS.title);
  const description = uk
    ? `${input.campaignName}: ${names.join(', ')}${discount}. Акція з ${input.startDate} по ${input.endDate}, доставка по Україні.`
    : `${input.campaignName}: ${names.join(', ')}${discount}. Offer from ${input.startDate} to ${input.endDate}, delivery across Ukraine.`;
  return {
    title: title.length >= 10 ? title : clip(`${title} GREENFOOD акція`, SEO_LIMITS.title),
    metaDescription: clip(description.length >= 50 ? description : `${description} Крафтові продукти GREENFOOD.`, SEO_LIMITS.metaDescription),
    h1: clip(input.campaignName.length >= 5 ? input.campaignName : `${input.campaignName} GREENFOOD`, SEO_LIMITS.h1),
    keywords: [...new Set(['greenfood', ...categories, ...names].map((k) => clip(k.toLowerCase(), SEO_LIMITS.keyword)))].slice(0, SEO_LIMITS.keywords),
    faq: uk
      ? [
        { question: 'Скільки триває акція?', answer: `З ${input.startDate} по ${input.endDate} включно або доки є товар.` },
        { question: 'Як отримати знижку?', answer: 'Введіть промокод акції під час оформлення замовлення; знижка діє лише на товари акції.' },
      ]
      : [
        { question: 'How long does the offer run?', answer: `From ${input.startDate} to ${input.endDate} inclusive, while stock lasts.` },
        { question: 'How do I get the discount?', answer: 'Enter the campaign promo code at checkout; it applies to the campaign products only.' },
      ],
  };
}

export function fallbackKpiBrief(input: CampaignKpiBriefInput): CampaignKpiBriefOutput {
  const uk = input.language === 'uk';
  const codes = input.promoCodes.map((c) => `${c.code} (${CHANNEL_LABEL[c.channel]})`).join(', ');
  const lines = input.kpis.map((k) => `${k.label}: ${k.target} — ${k.measuredBy}`);
  return {
    brief: clip([
      uk ? `«${input.campaignName}», ${input.startDate}–${input.endDate}. Продажі відстежуються за промокодами: ${codes}.`
        : `"${input.campaignName}", ${input.startDate}–${input.endDate}. Sales are attributed by promo code: ${codes}.`,
      ...lines,
    ].join('\n'), 2_000),
    risks: uk
      ? ['Ціль ROI залежить від того, чи попит перевищить звичайні продажі за 28 днів', 'Залишки можуть закінчитися раніше за кінець акції']
      : ['The ROI target depends on demand exceeding the usual 28-day sales', 'Stock may run out before the campaign ends'],
  };
}
