import { z } from 'zod';
import type { TaskTable } from '../tasks';

const languageName = (language: 'uk' | 'en') => (language === 'uk' ? 'Ukrainian' : 'English');

export const onboardingTasks: Pick<TaskTable, 'onboarding_plan' | 'onboarding_card_copy' | 'onboarding_recommendations'> = {
  onboarding_plan: {
    schema: () => z.object({ plan: z.string().min(40).max(4000) }).strict(),
    prompt: (input) =>
      [
        `Write the onboarding plan for the new consignor ${input.consignorName} (plan ${input.plan}${input.region ? `, ${input.region}` : ''}) in ${languageName(input.language)}.`,
        `Products: ${input.products.map((p) => `${p.name} (${p.category})`).join('; ')}.`,
        `Preferred hubs: ${input.hubs.join(', ') || 'none, the Warehouse agent chooses'}.`,
        'The checklist below is fixed: explain each item in order, who does it and by when; do not add or drop items.',
        ...input.checklist.map((c, i) => `${i + 1}. ${c.title} (owner: ${c.owner}${c.dueDate ? `, due ${c.dueDate}` : ''})`),
        `Address the consignor by name (${input.consignorName}) and end with the very next step.`,
      ].join('\n'),
    check: (output, input) => (output.plan.includes(input.consignorName) ? undefined : `plan does not name the consignor ${input.consignorName}`),
  },
  onboarding_card_copy: {
    schema: () => z.object({ shortDescription: z.string().min(10).max(280), longDescription: z.string().min(40).max(2000) }).strict(),
    prompt: (input) =>
      [
        `Write the product card copy in ${languageName(input.language)} for "${input.name}" (category ${input.category}) by ${input.consignorName}.`,
        `Ingredients: ${input.ingredients.join(', ')}.`,
        `Allergens: ${input.allergens.length ? input.allergens.join(', ') : 'none declared'}.`,
        `Net weight ${input.weightG} g, volume ${input.volumeMl} ml, storage ${input.storage}, shelf life ${input.shelfLifeDays} days.`,
        ...(input.sourceText ? [`The producer describes it so: ${input.sourceText}`] : []),
        'shortDescription: one appetising sentence. longDescription: taste, use, ingredients, storage and shelf life;',
        'name every allergen listed above word for word. Do not mention prices, discounts or health claims.',
      ].join('\n'),
    // Allergens on a food card are a safety matter: a description that drops one is never published.
    check: (output, input) => {
      const text = output.longDescription.toLowerCase();
      const missing = input.allergens.filter((a) => !text.includes(a.toLowerCase()));
      return missing.length ? `longDescription omits allergen(s) ${missing.join(', ')}` : undefined;
    },
  },
  onboarding_recommendations: {
    schema: () => z.object({ recommendations: z.string().min(40).max(4000) }).strict(),
    prompt: (input) =>
      [
        `Write launch recommendations in ${languageName(input.language)} for the new consignor ${input.consignorName} (plan ${input.plan}, commission ${input.commission}, payment within ${input.paymentTermsDays} days of the monthly settlement act).`,
        `First sale is expected by ${input.firstSaleDate}; first payout by ${input.firstPayoutDate}. Quote both dates exactly.`,
        `Open launch tasks: ${input.pending.join('; ') || 'none'}.`,
        `Weak spots found: ${input.weakSpots.join('; ') || 'none'}.`,
        `Success metrics: ${input.metrics.join('; ')}.`,
        'Give 3 to 6 concrete, numbered steps grounded only in these facts; no generic motivation.',
      ].join('\n'),
    check: (output, input) => (output.recommendations.includes(input.firstSaleDate) ? undefined : `recommendations omit the first sale date ${input.firstSaleDate}`),
  },
};
