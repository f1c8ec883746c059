/**
 * Turns what the domain agents read from Postgres into (a) fact lines the LLM must stay within,
 * (b) key facts the answer must quote, and (c) the deterministic answer used when the LLM's text
 * is unavailable or rejected. Pure code: the workflow runs it.
 */
import type { BalanceFacts, ComplaintRecord, OrderDetail, OrderFacts, ProductFacts } from '../activities/conversations';
import { SUPPORT_CONTACTS } from '../orders/messages';
import { formatUah } from '../shared/money';
import type { Intent, PersonRole } from './contract';

type Lang = 'uk' | 'en';

export interface Grounding {
  facts: string[];
  keyFacts: string[];
  nextStep: string;
  /** Code's own answer, stating exactly the facts. */
  fallback: string;
  orderId?: string;
  sku?: string;
  complaintRef?: string;
}

const ORDER_STATUS: Record<string, [string, string]> = {
  accepted: ['прийняте', 'accepted'],
  priced: ['сформоване', 'priced'],
  reserved: ['товари зарезервовано', 'items reserved'],
  shipping: ['передається в доставку', 'being handed to delivery'],
  invoiced: ['виставлено рахунок', 'invoiced'],
  confirmed: ['підтверджене', 'confirmed'],
  cancelled: ['скасоване', 'cancelled'],
};

const SHIPMENT_STATUS: Record<string, [string, string]> = {
  created: ['створене, готується до передачі перевізнику', 'created, being prepared for the carrier'],
  handed_to_carrier: ['передане перевізнику', 'handed to the carrier'],
  in_transit: ['в дорозі', 'in transit'],
  at_pickup_point: ['чекає у пункті видачі', 'waiting at the pickup point'],
  delivered: ['доставлене', 'delivered'],
  not_delivered: ['не доставлене', 'not delivered'],
  returned: ['повернене відправнику', 'returned to sender'],
};

function label(table: Record<string, [string, string]>, status: string, lang: Lang): string {
  const entry = table[status];
  return entry ? entry[lang === 'uk' ? 0 : 1] : status;
}

function orderFactLines(order: OrderDetail): string[] {
  return [
    `order ${order.id} placed ${order.createdAt}, status ${order.status}` +
      (order.totalKop !== null ? `, total ${formatUah(order.totalKop)}` : '') +
      (order.paymentDueDate ? `, payment due ${order.paymentDueDate}` : ''),
    `items of ${order.id}: ${order.lines.length ? order.lines.map((l) => `${l.name} (${l.sku}) × ${l.qty}`).join('; ') : 'none recorded yet'}`,
    ...(order.shipments.length
      ? order.shipments.map((s) => `shipment of ${order.id} from ${s.hubCity}: ${s.carrier} (${s.service}), tracking number ${s.trackingNumber}, status ${s.status}, expected ${s.etaDate}`)
      : [`order ${order.id} has no shipment yet`]),
  ];
}

export function groundOrder(intent: 'order_status' | 'delivery_status', facts: OrderFacts, lang: Lang): Grounding {
  const uk = lang === 'uk';
  const order = facts.order;
  if (!order) {
    return {
      facts: ['this person has no orders at GREENFOOD'],
      keyFacts: [],
      nextStep: uk ? 'назвіть номер замовлення або оформіть нове замовлення' : 'give the order number or place a new order',
      fallback: uk
        ? `Я не знайшов у вас жодного замовлення. Якщо воно оформлене на інший номер покупця, назвіть, будь ласка, номер замовлення. Питання: ${SUPPORT_CONTACTS}.`
        : `I could not find any orders of yours. If it was placed under another buyer account, please give the order number. Questions: ${SUPPORT_CONTACTS}.`,
    };
  }
  const others = facts.recentOrders.filter((o) => o.id !== order.id);
  const lines = [
    ...orderFactLines(order),
    `the order was identified ${facts.orderSource === 'message' ? 'from the message' : facts.orderSource === 'memory' ? 'from earlier in this conversation' : 'as the most recent one (no number was given)'}`,
    ...(others.length ? [`other recent orders: ${others.map((o) => `${o.id} (${o.status}, ${o.createdAt})`).join('; ')}`] : []),
  ];
  const tracking = order.shipments.map((s) => s.trackingNumber);
  const intro = facts.orderSource === 'latest' && others.length
    ? (uk ? `Ви не вказали номер, тож відповідаю про останнє замовлення ${order.id}. ` : `You did not name an order, so this is about your latest one, ${order.id}. `)
    : '';
  const shipmentText = order.shipments.map((s) => uk
    ? `${s.carrier} (${s.service}) з міста ${s.hubCity}, номер для відстеження ${s.trackingNumber}, статус: ${label(SHIPMENT_STATUS, s.status, lang)}, очікувана дата ${s.etaDate}`
    : `${s.carrier} (${s.service}) from ${s.hubCity}, tracking number ${s.trackingNumber}, status: ${label(SHIPMENT_STATUS, s.status, lang)}, expected ${s.etaDate}`).join('; ');
  const nextStep = tracking.length
    ? (uk ? `відстежуйте посилку за номером ${tracking.join(', ')} на сайті перевізника; питання: ${SUPPORT_CONTACTS}` : `track the parcel by ${tracking.join(', ')} on the carrier's site; questions: ${SUPPORT_CONTACTS}`)
    : (uk ? `ми повідомимо номер для відстеження, щойно замовлення передадуть перевізнику; питання: ${SUPPORT_CONTACTS}` : `we will send the tracking number as soon as the order is handed to the carrier; questions: ${SUPPORT_CONTACTS}`);
  let body: string;
  if (intent === 'delivery_status') {
    body = order.shipments.length
      ? (uk ? `Доставка замовлення ${order.id}: ${shipmentText}.` : `Delivery of order ${order.id}: ${shipmentText}.`)
      : (uk ? `Замовлення ${order.id} ще не передане в доставку (статус: ${label(ORDER_STATUS, order.status, lang)}).` : `Order ${order.id} has not been handed to delivery yet (status: ${label(ORDER_STATUS, order.status, lang)}).`);
  } else {
    const items = order.lines.map((l) => `${l.name} × ${l.qty}`).join(', ');
    body = uk
      ? `Замовлення ${order.id} від ${order.createdAt}: ${label(ORDER_STATUS, order.status, lang)}.` +
        (items ? ` Товари: ${items}.` : '') +
        (order.totalKop !== null ? ` Сума: ${formatUah(order.totalKop)}${order.paymentDueDate ? `, оплатити до ${order.paymentDueDate}` : ''}.` : '') +
        (order.shipments.length ? ` Відправлення: ${shipmentText}.` : '')
      : `Order ${order.id} of ${order.createdAt}: ${label(ORDER_STATUS, order.status, lang)}.` +
        (items ? ` Items: ${items}.` : '') +
        (order.totalKop !== null ? ` Total: ${formatUah(order.totalKop)}${order.paymentDueDate ? `, payment due ${order.paymentDueDate}` : ''}.` : '') +
        (order.shipments.length ? ` Shipments: ${shipmentText}.` : '');
  }
  return {
    facts: lines,
    keyFacts: [order.id, ...tracking],
    nextStep,
    fallback: `${intro}${body} ${uk ? 'Наступний крок' : 'Next step'}: ${nextStep}.`,
    orderId: order.id,
  };
}

export function groundBalance(b: BalanceFacts, lang: Lang): Grounding {
  const uk = lang === 'uk';
  const balance = formatUah(b.balanceKop);
  const nextStep = uk
    ? 'виплата проводиться після щомісячного розрахунку та акту звірки; питання щодо сум — finance@greenfood.ua'
    : 'the payout follows the monthly settlement and its reconciliation act; questions about amounts: finance@greenfood.ua';
  return {
    facts: [
      `balance owed to the consignor now: ${balance}`,
      `accrued from ${b.salesCount} sale(s): ${formatUah(b.accruedKop)}`,
      `reversed (cancelled sales): ${formatUah(b.reversedKop)}`,
      `paid out: ${formatUah(b.paidOutKop)}`,
      ...(b.otherKop !== 0 ? [`other recorded adjustments: ${formatUah(-b.otherKop)}`] : []),
      `last sale: ${b.lastSaleDate ?? 'none'}; last payout: ${b.lastPayoutDate ?? 'none'}`,
    ],
    keyFacts: [balance],
    nextStep,
    fallback: uk
      ? `Ваш баланс у GREENFOOD: ${balance} (нараховано з продажів ${formatUah(b.accruedKop)} за ${b.salesCount} замовлень, сторновано ${formatUah(b.reversedKop)}, виплачено ${formatUah(b.paidOutKop)}). ` +
        `Останній продаж: ${b.lastSaleDate ?? 'ще не було'}, остання виплата: ${b.lastPayoutDate ?? 'ще не було'}. Наступний крок: ${nextStep}.`
      : `Your GREENFOOD balance: ${balance} (accrued from sales ${formatUah(b.accruedKop)} over ${b.salesCount} orders, reversed ${formatUah(b.reversedKop)}, paid out ${formatUah(b.paidOutKop)}). ` +
        `Last sale: ${b.lastSaleDate ?? 'none yet'}, last payout: ${b.lastPayoutDate ?? 'none yet'}. Next step: ${nextStep}.`,
  };
}

const STORAGE: Record<string, [string, string]> = {
  ambient: ['при кімнатній температурі', 'at room temperature'],
  chilled: ['у холодильнику (+2…+6 °C)', 'chilled (+2…+6 °C)'],
  frozen: ['у морозильнику (−18 °C)', 'frozen (−18 °C)'],
};

export function groundProducts(p: ProductFacts, lang: Lang): Grounding {
  const uk = lang === 'uk';
  const first = p.products[0];
  if (!first) {
    return {
      facts: ['no product in the catalog matches the question'],
      keyFacts: [],
      nextStep: uk ? 'назвіть точну назву товару або його артикул (SKU)' : 'give the exact product name or its SKU',
      fallback: uk
        ? 'Я не знайшов такого товару в каталозі GREENFOOD. Назвіть, будь ласка, точну назву або артикул (SKU).'
        : 'I could not find that product in the GREENFOOD catalog. Please give its exact name or SKU.',
    };
  }
  const describe = (d: ProductFacts['products'][number]) => uk
    ? `«${d.name}» (SKU ${d.sku}, ${d.category}, виробник ${d.consignor}): ціна ${formatUah(d.priceKop)}, вага ${d.weightG} г, ` +
      `склад: ${d.ingredients.length ? d.ingredients.join(', ') : 'не вказано'}, алергени: ${d.allergens.length ? d.allergens.join(', ') : 'не вказано'}, ` +
      `термін придатності ${d.shelfLifeDays} дн., зберігати ${label(STORAGE, d.storage, lang)}, в наявності ${d.available} шт.`
    : `"${d.name}" (SKU ${d.sku}, ${d.category}, made by ${d.consignor}): price ${formatUah(d.priceKop)}, weight ${d.weightG} g, ` +
      `ingredients: ${d.ingredients.length ? d.ingredients.join(', ') : 'not stated'}, allergens: ${d.allergens.length ? d.allergens.join(', ') : 'not stated'}, ` +
      `shelf life ${d.shelfLifeDays} days, store ${label(STORAGE, d.storage, lang)}, ${d.available} in stock.`;
  const nextStep = first.available > 0
    ? (uk ? `щоб замовити, додайте ${first.sku} до кошика` : `to order, add ${first.sku} to the basket`)
    : (uk ? 'товару зараз немає в наявності — можемо запропонувати схожий' : 'it is out of stock now — we can suggest a similar product');
  return {
    facts: p.products.map((d) =>
      `product ${d.sku} "${d.name}", category ${d.category}, consignor ${d.consignor}, price ${formatUah(d.priceKop)}, weight ${d.weightG} g, volume ${d.volumeMl} ml, ` +
      `ingredients: ${d.ingredients.join(', ') || 'not stated'}, allergens: ${d.allergens.join(', ') || 'not stated'}, shelf life ${d.shelfLifeDays} days, ` +
      `storage ${d.storage}, sellable stock ${d.available}`),
    keyFacts: [first.sku],
    nextStep,
    fallback: `${describe(first)}${p.products.length > 1 ? (uk ? ` Схожі товари: ${p.products.slice(1).map((d) => `${d.name} (${d.sku})`).join(', ')}.` : ` Similar: ${p.products.slice(1).map((d) => `${d.name} (${d.sku})`).join(', ')}.`) : ''} ${uk ? 'Наступний крок' : 'Next step'}: ${nextStep}.`,
    sku: first.sku,
  };
}

export function groundComplaint(c: ComplaintRecord, order: OrderDetail | undefined, lang: Lang): Grounding {
  const uk = lang === 'uk';
  const nextStep = uk
    ? `Customer Care зв'яжеться з вами протягом одного робочого дня; збережіть товар і фото до розгляду; номер звернення ${c.ref}`
    : `Customer Care will contact you within one working day; keep the goods and photos until then; reference ${c.ref}`;
  return {
    facts: [
      `complaint recorded as ${c.ref}${order ? ` for order ${order.id}` : ' (no order named)'}`,
      ...(order ? orderFactLines(order) : []),
    ],
    keyFacts: [c.ref, ...(order ? [order.id] : [])],
    nextStep,
    fallback: uk
      ? `Шкода, що так сталося. Вашу скаргу зареєстровано під номером ${c.ref}${order ? ` щодо замовлення ${order.id}` : ''}. Наступний крок: ${nextStep}.`
      : `We are sorry about this. Your complaint is recorded as ${c.ref}${order ? ` for order ${order.id}` : ''}. Next step: ${nextStep}.`,
    ...(order ? { orderId: order.id } : {}),
    complaintRef: c.ref,
  };
}

export function groundOther(role: PersonRole, lang: Lang): Grounding {
  const uk = lang === 'uk';
  const topics = role === 'consignor'
    ? (uk ? 'баланс і виплати, замовлення з вашими товарами, їх доставку, товари каталогу, а також прийняти скаргу' : 'your balance and payouts, orders with your goods and their delivery, catalog products, and complaints')
    : (uk ? 'статус замовлення, доставку і номер для відстеження, товари (склад, алергени, ціна, наявність), а також прийняти скаргу' : 'order status, delivery and tracking numbers, products (ingredients, allergens, price, stock), and complaints');
  const nextStep = uk ? 'напишіть номер замовлення або назву товару' : 'send an order number or a product name';
  return {
    facts: [`the assistant can help with: ${topics}`, `support contacts: ${SUPPORT_CONTACTS}`],
    keyFacts: [],
    nextStep,
    fallback: uk
      ? `Я асистент GREENFOOD. Можу підказати ${topics}. Наступний крок: ${nextStep}. Контакти підтримки: ${SUPPORT_CONTACTS}.`
      : `I am the GREENFOOD assistant. I can help with ${topics}. Next step: ${nextStep}. Support: ${SUPPORT_CONTACTS}.`,
  };
}

export function intentLabel(intent: Intent): string {
  return intent.replace('_', ' ');
}
