import { intentsFor, type Intent, type PersonRole } from './contract';

/**
 * Keyword rules of the Assistant (Ukrainian and English stems, matched on lower-cased text). They
 * narrow the intents the LLM may choose from, and they are the whole decision when the LLM is
 * unavailable. Pure code: the workflow runs it.
 */
const RULES: { intent: Exclude<Intent, 'other'>; stems: string[] }[] = [
  {
    intent: 'complaint',
    stems: ['скарг', 'поскарж', 'жалоб', 'зіпсова', 'пошкоджен', 'неякісн', 'прострочен', 'не той товар', 'повернен', 'повернути',
      'complain', 'damaged', 'spoiled', 'broken', 'refund', 'wrong item'],
  },
  {
    intent: 'delivery_status',
    stems: ['доставк', 'доставлен', 'доставят', 'посилк', 'трек', 'відстеж', 'перевізник', "кур'єр", 'курʼєр', 'нова пошта', 'укрпошт',
      'коли прийде', 'коли привез', 'delivery', 'deliver', 'tracking', 'parcel', 'shipment', 'shipping', 'courier'],
  },
  {
    intent: 'balance',
    stems: ['баланс', 'виплат', 'заборгован', 'розрахун', 'мої кошти', 'скільки мені', 'нарахован', 'payout', 'balance', 'owed', 'settlement'],
  },
  {
    intent: 'order_status',
    stems: ['замовлен', 'статус', 'де моє', 'order', 'status'],
  },
  {
    intent: 'product_question',
    stems: ['склад', 'алерген', 'інгредієнт', 'ціна', 'коштує', 'термін придатн', 'зберіга', 'вага', 'товар', 'продукт', 'в наявн',
      'ingredient', 'allergen', 'price', 'cost', 'product', 'in stock', 'shelf life'],
  },
];

/** Naming a complaint is decisive: it must be recorded even when the message also names an order or a delivery. */
const DECISIVE: Intent[] = ['complaint'];

export interface IntentCandidates {
  /** Intents the LLM may choose from, most specific first (the first is code's choice). */
  candidates: Intent[];
  /** True when rules alone decide (exactly one candidate). */
  decided: boolean;
}

export function intentCandidates(text: string, role: PersonRole): IntentCandidates {
  const lower = text.toLowerCase();
  const allowed = intentsFor(role);
  const matched = RULES.filter((r) => allowed.includes(r.intent) && r.stems.some((s) => lower.includes(s))).map((r) => r.intent);
  const decisive = matched.find((i) => DECISIVE.includes(i));
  if (decisive) return { candidates: [decisive], decided: true };
  if (matched.length === 1) return { candidates: matched, decided: true };
  if (matched.length > 1) return { candidates: matched, decided: false };
  // Nothing matched: the LLM may pick any read-only intent, "other" (a general answer) being code's
  // choice. A complaint writes a record, so it needs the person's own words for it (a rule match).
  return { candidates: ['other', ...allowed.filter((i) => i !== 'other' && i !== 'complaint')], decided: false };
}

/** Tokens that may be an order id, tracking number or SKU: code looks them up among the person's own data. */
export function referenceTokens(text: string): string[] {
  const tokens = text.match(/[A-Za-z0-9][A-Za-z0-9_-]{2,63}/g) ?? [];
  const withDigits = tokens.map((t) => t.replace(/[-_]+$/, '')).filter((t) => /[0-9]/.test(t));
  return [...new Set(withDigits.flatMap((t) => [t, t.toUpperCase()]))].slice(0, 40);
}

const STOP_WORDS = new Set([
  'який', 'яка', 'яке', 'які', 'якого', 'скільки', 'коштує', 'склад', 'алергени', 'алерген', 'ціна', 'товар', 'товару', 'продукт',
  'продукту', 'термін', 'придатності', 'зберігати', 'зберігання', 'наявності', 'маєте', 'можна', 'купити', 'будь', 'ласка', 'підкажіть',
  'скажіть', 'розкажіть', 'про', 'what', 'which', 'does', 'have', 'price', 'product', 'ingredients', 'allergens', 'about', 'this', 'that',
  'with', 'there', 'your', 'please',
]);

/** Word stems a product name may contain (inflection-tolerant: the first five letters of longer words). */
export function productWordStems(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}ʼ'’]{4,}/gu) ?? [];
  return [...new Set(words.filter((w) => !STOP_WORDS.has(w)).map((w) => w.slice(0, 5)))].slice(0, 12);
}
