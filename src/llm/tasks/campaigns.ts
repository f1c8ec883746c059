import { z } from 'zod';
import { CHANNEL_LABEL, forbiddenMention, isLongForm, SEO_LIMITS } from '../../campaigns/rules';
import type { TaskTable } from '../tasks';

const languageName = (language: 'uk' | 'en') => (language === 'uk' ? 'Ukrainian' : 'English');

export const campaignTasks: Pick<TaskTable, 'campaign_plan' | 'campaign_channel_content' | 'campaign_seo' | 'campaign_kpi_brief'> = {
  campaign_plan: {
    schema: () => z.object({
      summary: z.string().min(50).max(1_500),
      steps: z.array(z.string().min(3).max(200)).min(3).max(7),
      audience: z.string().min(3).max(300),
    }).strict(),
    prompt: (input) => [
      `Campaign «${input.campaignName}», ${input.startDate} to ${input.endDate} (${input.days} days). Write its plan in ${languageName(input.language)}.`,
      `Goal: ${input.goal}`,
      `Objective: ${input.objective}. Paid budget ${input.budget}, split by channel: ${input.channels.map((c) => `${CHANNEL_LABEL[c.channel]} ${c.budget}`).join(', ')}.`,
      `Products: ${input.products.map((p) => `${p.name} (${p.sku}, ${p.category})`).join('; ')}.`,
      `Discounts are at most ${input.maxDiscountPercent}% and never below cost; Finance sets the exact prices.`,
      `The campaign is measured by (primary first): ${input.metrics.join(', ')}.`,
      'Give a summary that names the campaign, 3–7 concrete steps in crew order (Warehouse, SMM, SEO, Finance, Analytics) and the target audience. Do not invent numbers.',
    ].join('\n'),
    check: (output, input) =>
      output.summary.toLowerCase().includes(input.campaignName.toLowerCase()) ? undefined : 'summary does not name the campaign',
  },

  campaign_channel_content: {
    schema: (input) => z.object({
      headline: z.string().min(3).max(input.limits.headline),
      body: z.string().min(10).max(input.limits.body),
      callToAction: z.string().min(2).max(input.limits.callToAction),
      hashtags: z.array(z.string().min(1).max(40)).max(input.limits.hashtags),
    }).strict(),
    prompt: (input) => [
      `${CHANNEL_LABEL[input.channel]} content for the GREENFOOD campaign «${input.campaignName}», ${input.startDate} to ${input.endDate}, in ${languageName(input.language)}.`,
      `Promo code for this channel: ${input.promoCode}${input.maxDiscountPercent > 0 ? ` (discounts up to ${input.maxDiscountPercent}%)` : ' (campaign prices)'}; landing page greenfood.ua/${input.landingPath}.`,
      'Products in the campaign (all in stock for the whole campaign; regular prices):',
      ...input.products.map((p) => `- ${p.name} (${p.sku}): ${p.price}${p.limited ? ', limited quantity — say so' : ''}`),
      `Limits: headline ≤ ${input.limits.headline} characters, body ≤ ${input.limits.body}, call to action ≤ ${input.limits.callToAction}, at most ${input.limits.hashtags} hashtags.`,
      isLongForm(input.channel)
        ? 'In the body, name the products and quote the promo code exactly. Mention no other product, no price or discount not given here, no urgency that is not true.'
        : 'A banner: one short line with the promo code. Mention no other product and no discount not given here.',
    ].join('\n'),
    check: (output, input) => {
      const texts = [output.headline, output.body, output.callToAction, ...output.hashtags];
      const bad = forbiddenMention(texts, input.products, input.forbidden);
      if (bad) return bad;
      if (!isLongForm(input.channel)) return undefined;
      if (!output.body.includes(input.promoCode)) return `body does not quote the promo code ${input.promoCode}`;
      const body = output.body.toLowerCase();
      const namesProduct = input.products.some((p) => body.includes(p.name.toLowerCase()) || body.includes(p.sku.toLowerCase()));
      return namesProduct ? undefined : 'body names none of the campaign products';
    },
  },

  campaign_seo: {
    schema: () => z.object({
      title: z.string().min(10).max(SEO_LIMITS.title),
      metaDescription: z.string().min(50).max(SEO_LIMITS.metaDescription),
      h1: z.string().min(5).max(SEO_LIMITS.h1),
      keywords: z.array(z.string().min(2).max(SEO_LIMITS.keyword)).min(3).max(SEO_LIMITS.keywords),
      faq: z.array(z.object({ question: z.string().min(5).max(SEO_LIMITS.question), answer: z.string().min(10).max(SEO_LIMITS.answer) }).strict()).min(2).max(4),
    }).strict(),
    prompt: (input) => [
      `Landing page «${input.campaignName}» at greenfood.ua/${input.slug}, ${input.startDate} to ${input.endDate}, in ${languageName(input.language)}.`,
      `Products: ${input.products.map((p) => `${p.name} (${p.category}, ${p.price})`).join('; ')}.`,
      input.maxDiscountPercent > 0 ? `Discounts up to ${input.maxDiscountPercent}% with a promo code.` : 'Campaign prices with a promo code.',
      `Write: title ≤ ${SEO_LIMITS.title} characters, meta description 50–${SEO_LIMITS.metaDescription}, H1 ≤ ${SEO_LIMITS.h1}, 3–${SEO_LIMITS.keywords} keywords, 2–4 FAQ entries.`,
      'Mention only these products; no prices or discounts other than given.',
    ].join('\n'),
    check: (output, input) => forbiddenMention(
      [output.title, output.metaDescription, output.h1, ...output.keywords, ...output.faq.flatMap((f) => [f.question, f.answer])],
      input.products, input.forbidden),
  },

  campaign_kpi_brief: {
    schema: () => z.object({
      brief: z.string().min(50).max(2_000),
      risks: z.array(z.string().min(5).max(300)).min(1).max(4),
    }).strict(),
    prompt: (input) => [
      `Promo codes of «${input.campaignName}» (sales are attributed by them): ${input.promoCodes.map((c) => `${c.code} = ${CHANNEL_LABEL[c.channel]}`).join(', ')}.`,
      `Write the KPI brief for the campaign (${input.startDate} to ${input.endDate}) in ${languageName(input.language)}: each KPI, its target and how it is measured, then the risks to the targets.`,
      ...input.kpis.map((k) => `- ${k.label}: target ${k.target}; measured by ${k.measuredBy}`),
      'Quote every promo code exactly and keep every target as given; do not add targets or decide anything.',
    ].join('\n'),
    check: (output, input) => {
      const missing = input.promoCodes.filter((c) => !output.brief.includes(c.code));
      return missing.length ? `brief omits promo code(s) ${missing.map((c) => c.code).join(', ')}` : undefined;
    },
  },
};
