import { z } from 'zod';
import type { TaskTable } from '../tasks';

export const orderTasks: Pick<TaskTable, 'choose_substitute' | 'order_confirmation'> = {
  choose_substitute: {
    // Products and quantities only: the same shortage gets the same advice for every buyer.
    cacheable: true,
    schema: (input) => {
      const skus = input.candidates.map((c) => c.sku);
      const [first, ...rest] = skus;
      if (first === undefined) throw new Error('choose_substitute needs at least one candidate');
      return z.object({ sku: z.enum([first, ...rest]), reason: z.string().min(1).max(400) }).strict();
    },
    prompt: (input) =>
      [
        `A buyer ordered ${input.requested.qty} × "${input.requested.name}" (SKU ${input.requested.sku}, category ${input.requested.category}), ` +
          'which is not available in that quantity.',
        'Choose the single best substitute from these candidates (all are in stock in the needed quantity):',
        ...input.candidates.map((c) => `- ${c.sku}: ${c.name}, price ${(c.priceKop / 100).toFixed(2)} UAH, available ${c.available}`),
        'Prefer the closest taste, use and price. Give a one-sentence reason the buyer will read.',
      ].join('\n'),
  },
  order_confirmation: {
    schema: () => z.object({ subject: z.string().min(3).max(200), message: z.string().min(20).max(4000) }).strict(),
    prompt: (input) =>
      [
        `Write the order confirmation for order ${input.orderId} in ${input.language === 'uk' ? 'Ukrainian' : 'English'}.`,
        `Items: ${input.lines.map((l) => `${l.name} × ${l.qty}`).join('; ')}.`,
        `Total: ${input.total}; payment due by ${input.paymentDueDate}.`,
        ...input.shipments.map((s) => `Shipment from ${s.hubCity} by ${s.carrier}, tracking number ${s.trackingNumber}, expected ${s.etaDate}.`),
        ...input.substitutions.map((s) => `Substitution: "${s.requested}" was replaced by "${s.delivered}".`),
        `Support contacts: ${input.supportContacts}.`,
        'Quote every tracking number exactly and end with the next step for the buyer.',
      ].join('\n'),
    check: (output, input) => {
      const missing = input.shipments.filter((s) => !output.message.includes(s.trackingNumber));
      return missing.length > 0 ? `message omits tracking number(s) ${missing.map((s) => s.trackingNumber).join(', ')}` : undefined;
    },
  },
};
