/**
 * The onboarding crew's deterministic decisions: terms per plan, hub placement, expiry rules,
 * checklists, success metrics, dates, and the texts used when an LLM answer is unavailable.
 * Pure code (no I/O), so activities, the workflow and tests share one source of truth.
 */
import type {
  ChecklistItem,
  ConsignorPlan,
  ExpiryRule,
  OnboardVendorInput,
  StorageKind,
  SuccessMetric,
} from './contract';
import type {
  OnboardingCardCopyInput,
  OnboardingCardCopyOutput,
  OnboardingPlanInput,
  OnboardingPlanOutput,
  OnboardingRecommendationsInput,
  OnboardingRecommendationsOutput,
} from '../llm/tasks/onboarding.contract';

/** Premium consignors pay for marketing up front, so the platform's cut per sale is smaller and payouts come sooner. */
export const PLAN_TERMS: Record<ConsignorPlan, { commissionBp: number; paymentTermsDays: number }> = {
  starter: { commissionBp: 2000, paymentTermsDays: 30 },
  standard: { commissionBp: 1500, paymentTermsDays: 21 },
  premium: { commissionBp: 1000, paymentTermsDays: 14 },
};

/**
 * Trigram similarity of names (same category) from which a new product is treated as a likely
 * duplicate. The seeded catalogue's most similar distinct pair of one pack size scores 0.73
 * ("Вареники з картоплею та грибами" / "...та шкварками"), while the same name written another way
 * ("Мед гречаний 500г" / "Мед гречаний, 500 г") scores 0.8.
 */
export const DUPLICATE_SIMILARITY = 0.75;
/** Names of different pack sizes are very similar (0.6–0.73), so a duplicate must also weigh about the same. */
export const DUPLICATE_WEIGHT_TOLERANCE = 0.1;

/** Days a consignor needs to bring goods to a hub it asked for, and to one it did not (further away). */
export const DELIVERY_DAYS = { requested: 2, other: 3 } as const;
/** Receipt and quality check before a batch can be sold. */
export const RECEIPT_DAYS = 1;
/** A new listing's typical wait for its first order. */
export const FIRST_ORDER_DAYS = 2;
/** Days a consignor gets for documents (contract, safety declarations, photos). */
export const DOCUMENTS_DAYS = 3;

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(fromIso: string, toIso: string): number {
  return Math.round((Date.parse(`${toIso}T00:00:00Z`) - Date.parse(`${fromIso}T00:00:00Z`)) / 86_400_000);
}

export interface HubZoneOption {
  hubId: number;
  hubCode: string;
  zoneId: number;
  zoneCode: string;
  temperatureZone: StorageKind;
  racks: number;
}

/**
 * A hub with a zone of the product's temperature: the consignor's first requested hub that has
 * one, else the hub with the most racks in that zone (room to grow), ties by code.
 */
export function chooseHub(storage: StorageKind, requested: readonly string[], zones: readonly HubZoneOption[]): { zone: HubZoneOption; requested: boolean } | undefined {
  const fitting = zones.filter((z) => z.temperatureZone === storage);
  for (const code of requested) {
    const zone = fitting.filter((z) => z.hubCode === code).sort((a, b) => b.racks - a.racks)[0];
    if (zone) return { zone, requested: true };
  }
  const best = [...fitting].sort((a, b) => b.racks - a.racks || a.hubCode.localeCompare(b.hubCode))[0];
  return best ? { zone: best, requested: false } : undefined;
}

/**
 * Expiry rule of a category, from the shortest shelf life among the consignor's products in it:
 * alert a quarter of the shelf life ahead (2–30 days), propose a markdown a tenth ahead (1–14 days).
 */
export function expiryRuleFor(category: string, shortestShelfLifeDays: number, minDaysToSell: number): ExpiryRule {
  const alert = Math.min(30, Math.max(2, Math.ceil(shortestShelfLifeDays * 0.25)));
  const markdown = Math.min(14, Math.max(1, Math.ceil(shortestShelfLifeDays * 0.1)), alert - 1);
  return { category, alertDaysBefore: alert, markdownDaysBefore: Math.max(1, markdown), minDaysToSell: Math.min(minDaysToSell, Math.max(1, shortestShelfLifeDays - 1)) };
}

/** What the onboarding itself has to get done, decided from the request; the Assistant's LLM only writes the plan around it. */
export function onboardingChecklist(input: Pick<OnboardVendorInput, 'products'>, today: string): ChecklistItem[] {
  const docsDue = addDays(today, DOCUMENTS_DAYS);
  const items: ChecklistItem[] = [
    { code: 'requisites', phase: 'onboarding', title: 'Перевірити реквізити (ЄДРПОУ, IBAN) і контакти', owner: 'assistant', status: 'done' },
    { code: 'contract', phase: 'onboarding', title: 'Підписати договір комісії', owner: 'consignor', status: 'pending', dueDate: docsDue },
  ];
  const cold = input.products.filter((p) => p.storage !== 'ambient').length;
  if (cold > 0) {
    items.push({ code: 'safety_docs', phase: 'onboarding', title: `Надати декларацію виробника та документи безпечності для ${cold} охолодженого(их)/замороженого(их) товару(ів)`, owner: 'consignor', status: 'pending', dueDate: docsDue });
  }
  const withoutPhotos = input.products.filter((p) => (p.media ?? []).length === 0).length;
  if (withoutPhotos > 0) {
    items.push({ code: 'photos', phase: 'onboarding', title: `Додати фото для ${withoutPhotos} товару(ів)`, owner: 'consignor', status: 'pending', dueDate: docsDue });
  }
  items.push(
    { code: 'catalog', phase: 'onboarding', title: `Створити картки товарів (${input.products.length}) і перевірити дублікати`, owner: 'catalog', status: 'pending' },
    { code: 'warehouse', phase: 'onboarding', title: 'Розмістити товари на хабах, запланувати перші партії та правила термінів', owner: 'warehouse', status: 'pending' },
    { code: 'pricing', phase: 'onboarding', title: 'Модель ціноутворення, комісія та умови виплат', owner: 'finance', status: 'pending' },
    { code: 'launch', phase: 'onboarding', title: 'Чек-лист запуску, метрики успіху, дата першого доходу', owner: 'vendor_success', status: 'pending' },
  );
  return items;
}

export interface LaunchFacts {
  today: string;
  deliveries: { hubCode: string; units: number; expectedArrival: string }[];
  mergeProposals: number;
  firstSaleDate: string;
  firstPayoutDate: string;
  cards: number;
  cardsWithPhotos: number;
  shortestShelfLifeDays: number;
}

/** The Vendor Success agent's launch checklist: what still has to happen before and right after the first sale. */
export function launchChecklist(f: LaunchFacts): ChecklistItem[] {
  const items: ChecklistItem[] = f.deliveries.map((d) => ({
    code: `deliver:${d.hubCode}`, phase: 'launch', title: `Привезти перші партії на хаб ${d.hubCode}: ${d.units} од. до ${d.expectedArrival}`,
    owner: 'consignor', status: 'pending', dueDate: d.expectedArrival,
  }));
  if (f.mergeProposals > 0) {
    items.push({ code: 'merge_review', phase: 'launch', title: `Вирішити пропозиції злиття карток (${f.mergeProposals})`, owner: 'operator', status: 'pending', dueDate: addDays(f.today, DOCUMENTS_DAYS) });
  }
  const listed = f.deliveries.length ? addDays(f.deliveries.map((d) => d.expectedArrival).sort()[0]!, RECEIPT_DAYS) : f.today;
  items.push(
    { code: 'announce', phase: 'launch', title: 'Анонсувати нового виробника в соцмережах і розсилці', owner: 'smm', status: 'pending', dueDate: listed },
    { code: 'first_sale', phase: 'launch', title: `Перший продаж до ${f.firstSaleDate}`, owner: 'vendor_success', status: 'pending', dueDate: f.firstSaleDate },
    { code: 'first_settlement', phase: 'launch', title: `Перший акт звірки та виплата до ${f.firstPayoutDate}`, owner: 'finance', status: 'pending', dueDate: f.firstPayoutDate },
  );
  return items;
}

/** First sale: the earliest batch arrives, passes receipt, and waits the typical time for a new listing's first order. */
export function firstSaleDate(today: string, arrivals: readonly string[]): string {
  const earliest = [...arrivals].sort()[0] ?? addDays(today, DELIVERY_DAYS.other);
  return addDays(earliest, RECEIPT_DAYS + FIRST_ORDER_DAYS);
}

/** Sales of a month are settled on the 1st of the next month and paid within the plan's payment terms. */
export function firstPayoutDate(firstSale: string, paymentTermsDays: number): string {
  const [y, m] = firstSale.split('-').map(Number) as [number, number];
  const settlement = new Date(Date.UTC(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 1)).toISOString().slice(0, 10);
  return addDays(settlement, paymentTermsDays);
}

export function successMetrics(f: LaunchFacts): SuccessMetric[] {
  const month = addDays(f.firstSaleDate, 30);
  const perishable = f.shortestShelfLifeDays <= 14;
  const metrics: SuccessMetric[] = [
    { code: 'first_sale', title: 'Перший оплачений продаж', target: 1, unit: 'order', dueDate: f.firstSaleDate },
    // Short-lived goods must turn over fast or they expire on the shelf.
    { code: 'sell_through_30d', title: 'Продано від першої партії за 30 днів', target: perishable ? 60 : 30, unit: '% min', dueDate: month },
    { code: 'expiry_write_off', title: 'Списання через термін придатності', target: perishable ? 8 : 3, unit: '% max', dueDate: month },
    { code: 'cards_with_photos', title: 'Картки з фото', target: 100, unit: '% min', dueDate: addDays(f.today, DOCUMENTS_DAYS) },
    { code: 'stock_availability', title: 'Днів із товаром у наявності', target: 95, unit: '% min', dueDate: month },
  ];
  if (f.mergeProposals > 0) {
    metrics.push({ code: 'merge_decisions', title: 'Рішення щодо пропозицій злиття', target: f.mergeProposals, unit: 'decisions', dueDate: addDays(f.today, DOCUMENTS_DAYS) });
  }
  return metrics;
}

// ---- deterministic texts used when an LLM answer is unavailable or rejected ----

const STORAGE_TEXT: Record<StorageKind, { uk: string; en: string }> = {
  ambient: { uk: 'зберігати за кімнатної температури в сухому місці', en: 'store at room temperature in a dry place' },
  chilled: { uk: 'зберігати в холодильнику від +2 до +6 °C', en: 'keep refrigerated at +2 to +6 °C' },
  frozen: { uk: 'зберігати замороженим не вище −18 °C', en: 'keep frozen at −18 °C or below' },
};

export function fallbackOnboardingPlan(input: OnboardingPlanInput): OnboardingPlanOutput {
  const categories = [...new Set(input.products.map((p) => p.category))].join(', ');
  const steps = input.checklist.map((c, i) => `${i + 1}. ${c.title} — ${c.owner}${c.dueDate ? `, ${input.language === 'en' ? 'by' : 'до'} ${c.dueDate}` : ''}`);
  if (input.language === 'en') {
    return { plan: [`Onboarding plan for ${input.consignorName} (${input.plan} plan): ${input.products.length} product(s) in ${categories}; hubs: ${input.hubs.join(', ') || 'chosen by the Warehouse agent'}.`, ...steps, 'Next step: sign the consignment contract and send the documents.'].join('\n') };
  }
  return { plan: [`План онбордингу для ${input.consignorName} (тариф ${input.plan}): ${input.products.length} товар(ів) у категоріях ${categories}; хаби: ${input.hubs.join(', ') || 'обере агент складу'}.`, ...steps, 'Наступний крок: підписати договір комісії та надіслати документи.'].join('\n') };
}

export function fallbackCardCopy(input: OnboardingCardCopyInput): OnboardingCardCopyOutput {
  const source = input.sourceText?.trim();
  const firstSentence = source ? (source.split(/(?<=[.!?])\s/u)[0] ?? source).slice(0, 200) : undefined;
  const en = input.language === 'en';
  const size = input.weightG >= 1000 ? `${input.weightG / 1000} kg` : `${input.weightG} g`;
  const shortDescription = firstSentence ?? (en ? `${input.name} by ${input.consignorName}.` : `${input.name} від ${input.consignorName}.`);
  const allergens = input.allergens.length
    ? (en ? `Allergens: ${input.allergens.join(', ')}.` : `Алергени: ${input.allergens.join(', ')}.`)
    : (en ? 'No declared allergens.' : 'Без заявлених алергенів.');
  const longDescription = [
    source ?? shortDescription,
    en ? `Ingredients: ${input.ingredients.join(', ')}.` : `Склад: ${input.ingredients.join(', ')}.`,
    allergens,
    en ? `Net weight ${size}; ${STORAGE_TEXT[input.storage].en}; shelf life ${input.shelfLifeDays} days from production.`
      : `Вага нетто ${size.replace('kg', 'кг').replace(' g', ' г')}; ${STORAGE_TEXT[input.storage].uk}; термін придатності — ${input.shelfLifeDays} діб від дати виготовлення.`,
    en ? `Producer: ${input.consignorName}.` : `Виробник: ${input.consignorName}.`,
  ].join(' ');
  return { shortDescription: shortDescription.slice(0, 280), longDescription: longDescription.slice(0, 2000) };
}

export function fallbackRecommendations(input: OnboardingRecommendationsInput): OnboardingRecommendationsOutput {
  const en = input.language === 'en';
  const lines = [
    en ? `${input.consignorName}: first sale expected by ${input.firstSaleDate}, first payout by ${input.firstPayoutDate} (commission ${input.commission}, payment within ${input.paymentTermsDays} days of the settlement act).`
      : `${input.consignorName}: перший продаж очікуємо до ${input.firstSaleDate}, першу виплату — до ${input.firstPayoutDate} (комісія ${input.commission}, виплата протягом ${input.paymentTermsDays} днів після акту звірки).`,
    ...input.weakSpots.map((w) => `- ${w}`),
    ...input.pending.map((p) => `- ${p}`),
    en ? `Targets: ${input.metrics.join('; ')}.` : `Цілі: ${input.metrics.join('; ')}.`,
  ];
  return { recommendations: lines.join('\n') };
}
