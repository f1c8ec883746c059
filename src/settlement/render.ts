/**
 * Texts of the settlement crew rendered by code: the settlement act (акт звірки) in Markdown and
 * HTML, and the deterministic fallbacks of its LLM steps. Pure (no I/O), so the workflow can use
 * the fallbacks and the activity the act, and both render the same bytes on every machine.
 */
import type {
  SettlementAnalyticsInput,
  SettlementAnalyticsOutput,
  SettlementComplianceInput,
  SettlementComplianceOutput,
  SettlementPlanInput,
  SettlementPlanOutput,
  SettlementRecommendationsInput,
  SettlementRecommendationsOutput,
} from '../llm/tasks/settlement.contract';
import { formatUah } from '../shared/money';
import { STORAGE_FEE_KOP_PER_UNIT_DAY, LOGISTICS_FEE_BP, daysInPeriod, type SettlementFigures, type StorageClass } from '../shared/settlement-math';

export interface SettlementActLine {
  sku: string;
  name: string;
  soldQty: number;
  salesKop: number;
  returnedQty: number;
  returnsKop: number;
}

export interface SettlementActData {
  period: string;
  consignor: { code: string; name: string; legalName: string; edrpou: string; iban: string; commissionBp: number };
  figures: SettlementFigures;
  unitDays: Record<StorageClass, number>;
  lines: SettlementActLine[];
  /** Lines beyond those listed (the act lists the largest ones). */
  moreLines: number;
  /** Date the act was drawn up, `YYYY-MM-DD`. */
  issuedOn: string;
}

export function actNumber(period: string, consignorCode: string): string {
  return `АЗ-${period}-${consignorCode}`;
}

const MONTHS_UK = ['січень', 'лютий', 'березень', 'квітень', 'травень', 'червень', 'липень', 'серпень', 'вересень', 'жовтень', 'листопад', 'грудень'];

export function periodLabel(period: string): string {
  const month = MONTHS_UK[Number(period.slice(5, 7)) - 1] ?? period;
  return `${month} ${period.slice(0, 4)}`;
}

function percentOfBp(bp: number): string {
  return `${(bp / 100).toFixed(2)} %`;
}

interface ActRow {
  label: string;
  amount: string;
  strong?: boolean;
}

function actRows(d: SettlementActData): ActRow[] {
  const f = d.figures;
  const storageDetail = (['ambient', 'chilled', 'frozen'] as const)
    .filter((c) => d.unitDays[c] > 0)
    .map((c) => `${d.unitDays[c]} од.-днів × ${STORAGE_FEE_KOP_PER_UNIT_DAY[c]} коп. (${c})`)
    .join('; ');
  return [
    { label: 'Сальдо на початок періоду (заборгованість GREENFOOD перед комітентом)', amount: formatUah(f.openingKop) },
    { label: 'Продажі товарів комітента (після знижок покупцям)', amount: formatUah(f.salesKop) },
    { label: 'Повернення та скасовані продажі', amount: formatUah(-f.returnsKop) },
    { label: `Комісія GREENFOOD (${percentOfBp(d.consignor.commissionBp)} за договором)`, amount: formatUah(-f.commissionKop) },
    { label: `Логістичний збір (${percentOfBp(LOGISTICS_FEE_BP)} від продажів за вирахуванням повернень)`, amount: formatUah(-f.logisticsFeeKop) },
    { label: `Зберігання${storageDetail ? `: ${storageDetail}` : ''}`, amount: formatUah(-f.storageFeeKop) },
    ...(f.adjustmentsKop !== 0 ? [{ label: 'Коригування балансу (з обґрунтуванням у журналі)', amount: formatUah(f.adjustmentsKop) }] : []),
    { label: 'Разом за період (нетто)', amount: formatUah(f.netKop), strong: true },
    { label: 'Сальдо на кінець періоду', amount: formatUah(f.closingKop), strong: true },
    { label: 'Пропонована виплата (після затвердження оператором)', amount: formatUah(f.payoutKop), strong: true },
  ];
}

function carryNote(f: SettlementFigures): string {
  return f.closingKop < 0
    ? `Від'ємне сальдо ${formatUah(f.closingKop)} переноситься на наступний період і зараховується в майбутні продажі.`
    : 'Невиплачена частина (у разі відхилення виплати) переноситься на наступний період.';
}

export function renderActMarkdown(d: SettlementActData): string {
  const c = d.consignor;
  const days = daysInPeriod(d.period);
  const md: string[] = [
    `# Акт звірки взаєморозрахунків № ${actNumber(d.period, c.code)}`,
    '',
    `Період: ${periodLabel(d.period)} (${d.period}-01 — ${d.period}-${String(days).padStart(2, '0')}), дата складання ${d.issuedOn}.`,
    '',
    `**Комісіонер:** ТОВ «GREENFOOD».  `,
    `**Комітент:** ${c.legalName} («${c.name}», код ${c.code}), ЄДРПОУ ${c.edrpou}, IBAN ${c.iban}.`,
    '',
    '| Стаття | Сума |',
    '|---|---:|',
    ...actRows(d).map((r) => (r.strong ? `| **${r.label}** | **${r.amount}** |` : `| ${r.label} | ${r.amount} |`)),
    '',
    'Формула: нетто = продажі − повернення − комісія − збори (логістика, зберігання) + коригування; сальдо на кінець = сальдо на початок + нетто.',
    carryNote(d.figures),
    '',
  ];
  if (d.lines.length > 0) {
    md.push('## Продажі за товарами', '', '| SKU | Товар | Продано, шт. | Продажі | Повернено, шт. | Повернення |', '|---|---|---:|---:|---:|---:|');
    for (const l of d.lines) md.push(`| ${l.sku} | ${l.name.replace(/\|/gu, '/')} | ${l.soldQty} | ${formatUah(l.salesKop)} | ${l.returnedQty} | ${formatUah(l.returnsKop)} |`);
    if (d.moreLines > 0) md.push(`| … | ще ${d.moreLines} товар(и) | | | | |`);
    md.push('');
  } else {
    md.push('Продажів у періоді не було.', '');
  }
  md.push('Від GREENFOOD: ____________________        Від комітента: ____________________', '');
  return md.join('\n');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (ch) => HTML_ESCAPES[ch] ?? ch);
}

export function renderActHtml(d: SettlementActData): string {
  const c = d.consignor;
  const e = escapeHtml;
  const rows = actRows(d)
    .map((r) => (r.strong
      ? `<tr class="total"><th scope="row">${e(r.label)}</th><td>${e(r.amount)}</td></tr>`
      : `<tr><th scope="row">${e(r.label)}</th><td>${e(r.amount)}</td></tr>`))
    .join('\n');
  const lines = d.lines.length === 0 ? '<p>Продажів у періоді не було.</p>' : [
    '<h2>Продажі за товарами</h2>',
    '<table class="lines"><thead><tr><th>SKU</th><th>Товар</th><th>Продано, шт.</th><th>Продажі</th><th>Повернено, шт.</th><th>Повернення</th></tr></thead><tbody>',
    ...d.lines.map((l) => `<tr><td>${e(l.sku)}</td><td>${e(l.name)}</td><td>${l.soldQty}</td><td>${e(formatUah(l.salesKop))}</td><td>${l.returnedQty}</td><td>${e(formatUah(l.returnsKop))}</td></tr>`),
    ...(d.moreLines > 0 ? [`<tr><td>…</td><td colspan="5">ще ${d.moreLines} товар(и)</td></tr>`] : []),
    '</tbody></table>',
  ].join('\n');
  return [
    '<!doctype html>',
    '<html lang="uk"><head><meta charset="utf-8">',
    `<title>${e(`Акт звірки ${actNumber(d.period, c.code)}`)}</title>`,
    '<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:4px 8px}td{text-align:right}th{text-align:left}tr.total{font-weight:bold}</style>',
    '</head><body>',
    `<h1>Акт звірки взаєморозрахунків № ${e(actNumber(d.period, c.code))}</h1>`,
    `<p>Період: ${e(periodLabel(d.period))} (${e(d.period)}), дата складання ${e(d.issuedOn)}.</p>`,
    `<p><strong>Комісіонер:</strong> ТОВ «GREENFOOD».<br><strong>Комітент:</strong> ${e(c.legalName)} («${e(c.name)}», код ${e(c.code)}), ЄДРПОУ ${e(c.edrpou)}, IBAN ${e(c.iban)}.</p>`,
    `<table class="statement"><tbody>\n${rows}\n</tbody></table>`,
    '<p>Формула: нетто = продажі − повернення − комісія − збори (логістика, зберігання) + коригування; сальдо на кінець = сальдо на початок + нетто.</p>',
    `<p>${e(carryNote(d.figures))}</p>`,
    lines,
    '<p>Від GREENFOOD: ____________________ &nbsp; Від комітента: ____________________</p>',
    '</body></html>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Fallbacks of the LLM steps: decided by code alone, from the same facts the LLM would get.

export function fallbackPlan(input: SettlementPlanInput): SettlementPlanOutput {
  return {
    summary: [
      `План розрахунків із комітентами за ${input.period} (${input.scope}): ${input.consignors} комітент(ів).`,
      ...input.steps.map((s, i) => `${i + 1}. ${s.agent}: ${s.task}.`),
      'Виплати залишаються запропонованими до рішення оператора; малі суми затверджуються автоматично за порогом з конфігурації.',
    ].join('\n'),
    dataToCollect: [
      `продажі та повернення з журналу проводок (${input.saleTransactions} продажів, ${input.reversalTransactions} сторно)`,
      `рух запасів для зберігання та списань (${input.stockMovements} записів)`,
      `зміни цін (${input.priceChanges}) і ручні коригування балансів (${input.balanceAdjustments})`,
      'сальдо попереднього періоду з актів звірки',
    ],
  };
}

export function fallbackAnalytics(input: SettlementAnalyticsInput): SettlementAnalyticsOutput {
  const top = input.topConsignors[0];
  return {
    headline: `Оборот за ${input.period}: ${input.totalTurnover} (${input.change} до ${input.previousPeriod})`,
    narrative: [
      `Загальний оборот за ${input.period} склав ${input.totalTurnover}; у ${input.previousPeriod} — ${input.previousTurnover} (зміна ${input.change}).`,
      top ? `Найбільший оборот у комітента ${top.code} «${top.name}»: ${top.turnover}.` : 'Продажів у періоді не було.',
      input.anomalies.length ? `Правила виявили ${input.anomalies.length} аномалі(ю/ї): ${input.anomalies.map((a) => `${a.subject} (${a.kind})`).join(', ')}.` : 'Аномалій правила не виявили.',
      `Джерела даних: ${input.sources.join(', ')}.`,
    ].join(' '),
    actions: input.anomalies.length
      ? input.anomalies.slice(0, 5).map((a) => ({ action: `Перевірити ${a.subject}: ${a.detail}`, risk: 'рішення без перевірки причин може бути передчасним' }))
      : [{ action: 'Продовжити моніторинг обороту за комітентами та хабами', risk: 'сезонні коливання можуть маскувати тренд' }],
  };
}

export function fallbackCompliance(input: SettlementComplianceInput): SettlementComplianceOutput {
  const { critical, warning, info } = input.counts;
  return {
    narrative: input.totalFindings === 0
      ? `Перевірка журналу подій за ${input.period}: 0 знахідок. Великих списань, нетипових повернень, різких змін цін і ручних коригувань балансу не виявлено.`
      : `Перевірка журналу подій за ${input.period}: ${input.totalFindings} знахідок (критичних ${critical}, попереджень ${warning}, інформаційних ${info}). ` +
        'Це спостереження для перевірки, а не висновки: кожна подія може мати звичайне пояснення, яке варто підтвердити документами.',
    recommendations: input.totalFindings === 0
      ? ['Планових дій не потрібно; продовжити щомісячний моніторинг журналу']
      : [
          ...(critical > 0 ? ['Перевірити критичні знахідки до затвердження виплат відповідним комітентам'] : []),
          'Запросити підтвердні документи (акти списання, заяви на повернення, накази про зміну цін)',
          'Зафіксувати пояснення у журналі, щоб наступна перевірка їх врахувала',
        ],
  };
}

export function fallbackRecommendations(input: SettlementRecommendationsInput): SettlementRecommendationsOutput {
  const fact = (key: string) => input.facts.find((f) => f.key === key);
  const recommendations: SettlementRecommendationsOutput['recommendations'] = [];
  const returnRate = fact('return_rate');
  if (returnRate && returnRate.value !== '0.00 %') {
    recommendations.push({ basedOn: 'return_rate', action: `Частка повернень ${returnRate.value}: перевірте причини повернень і якість пакування найпроблемніших товарів.` });
  }
  const storage = fact('storage_fee');
  if (storage && storage.value !== formatUah(0)) {
    recommendations.push({ basedOn: 'storage_fee', action: `Зберігання коштувало ${storage.value}: зменште запас повільних позицій або запропонуйте на них акцію.` });
  }
  const top = fact('top_product');
  if (top) recommendations.push({ basedOn: 'top_product', action: `Найкраще продається ${top.value}: забезпечте запас щонайменше на місяць уперед.` });
  const sales = fact('sales');
  if (sales && sales.value === formatUah(0)) {
    recommendations.push({ basedOn: 'sales', action: 'Продажів не було: перевірте повноту карток товарів, фото та наявність на хабах.' });
  }
  const first = input.facts[0]!;
  if (recommendations.length === 0) recommendations.push({ basedOn: first.key, action: `Утримуйте поточний рівень: ${first.label} — ${first.value}.` });
  return {
    summary: `Рекомендації для ${input.consignor.name} (${input.consignor.code}) на наступний місяць за підсумками ${input.period}: ` +
      input.facts.slice(0, 3).map((f) => `${f.label} ${f.value}`).join(', ') + '.',
    recommendations: recommendations.slice(0, 5),
  };
}
