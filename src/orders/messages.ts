import { formatUah } from '../shared/money';
import type { OrderConfirmationInput } from '../llm/contract';

export const SUPPORT_CONTACTS = 'support@greenfood.ua, +380 44 000 00 00 (Пн–Сб 9:00–20:00)';

/** The confirmation Customer Care sends when the LLM is unavailable or its answer is rejected. */
export function fallbackConfirmation(input: OrderConfirmationInput): { subject: string; message: string } {
  if (input.language === 'en') {
    return {
      subject: `GREENFOOD order ${input.orderId} confirmed`,
      message: [
        `Thank you! Your order ${input.orderId} is confirmed.`,
        `Items: ${input.lines.map((l) => `${l.name} × ${l.qty}`).join(', ')}.`,
        ...input.substitutions.map((s) => `"${s.requested}" was out of stock, so we reserved "${s.delivered}" instead.`),
        `Total: ${input.total}, payment due by ${input.paymentDueDate}.`,
        ...input.shipments.map((s) => `Shipment from ${s.hubCity}: ${s.carrier}, tracking number ${s.trackingNumber}, expected ${s.etaDate}.`),
        `Next step: follow your parcel by its tracking number. Questions: ${input.supportContacts}.`,
      ].join('\n'),
    };
  }
  return {
    subject: `Замовлення GREENFOOD ${input.orderId} підтверджено`,
    message: [
      `Дякуємо! Ваше замовлення ${input.orderId} підтверджено.`,
      `Товари: ${input.lines.map((l) => `${l.name} × ${l.qty}`).join(', ')}.`,
      ...input.substitutions.map((s) => `«${s.requested}» закінчився, тому ми зарезервували «${s.delivered}».`),
      `Сума: ${input.total}, оплатити до ${input.paymentDueDate}.`,
      ...input.shipments.map((s) => `Відправлення з міста ${s.hubCity}: ${s.carrier}, номер для відстеження ${s.trackingNumber}, очікувана дата ${s.etaDate}.`),
      `Наступний крок: відстежуйте посилку за номером. Питання: ${input.supportContacts}.`,
    ].join('\n'),
  };
}

export function orderSummaryLine(orderId: string, items: number, tier: string): string {
  return `Order ${orderId} · ${items} item${items === 1 ? '' : 's'} · ${tier.toUpperCase()}`;
}

export { formatUah };
