import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AssessedProduct } from '../activities/campaigns';
import {
  campaignProgressQuery,
  MARKETING_CAMPAIGN_CREW,
  type CampaignProgress,
  type CampaignResult,
  type CampaignStep,
  type MarketingCampaignInput,
} from '../campaigns/contract';
import {
  CHANNEL_LABEL,
  CHANNEL_LIMITS,
  campaignSlug,
  fallbackChannelContent,
  fallbackKpiBrief,
  fallbackPlan,
  fallbackSeo,
  formatKpiTarget,
  normalizeHashtags,
  promoCodeFor,
} from '../campaigns/rules';
import type { CampaignChannelContentInput, CampaignKpiBriefInput, CampaignPlanInput, CampaignSeoInput } from '../llm/contract';
import { formatUah } from '../shared/money';
import { priorityKeyOf } from '../shared/priority';
import { SearchAttr } from '../shared/temporal';
import { agentActivities, failureReason, generateOrFallback, LlmCaller } from './proxies';

/**
 * The campaign crew: Assistant → Warehouse → SMM → SEO → Finance → Analytics.
 * Demand, stock, prices, discounts, promo codes and KPI targets are decided by code; the LLM
 * writes the plan, the channel content, the landing page copy and the KPI brief, each checked
 * and each with a deterministic fallback. The Warehouse refuses a product that has no stock
 * before anything is written, so a refused campaign leaves no trace but its workflow.
 */
export async function marketingCampaign(input: MarketingCampaignInput): Promise<CampaignResult> {
  const { workflowId } = workflowInfo();
  const tier = input.priority ?? 'background';
  const priorityKey = priorityKeyOf(tier);
  const agents = agentActivities(priorityKey);
  // The router picks the LLM pool per call (by tier and pool health) unless the input pins one.
  const llm = new LlmCaller({ priorityKey, tier, pinnedPool: input.llmPool });

  const progress: CampaignProgress = { step: 'assistant', completed: [] };
  setHandler(campaignProgressQuery, () => progress);
  const fallbacks: CampaignStep[] = [];
  const enter = (step: CampaignStep, details: string) => {
    progress.step = step;
    setCurrentDetails(`**${step}**: ${details}`);
  };
  const done = (step: CampaignStep, usedFallback = false) => {
    progress.completed.push(step);
    if (usedFallback) fallbacks.push(step);
  };
  const crew = MARKETING_CAMPAIGN_CREW;
  let registered = false;

  try {
    enter('assistant', 'validating the campaign and deciding its metrics');
    const accepted = await agents.campaignAssistantAccept.executeWithOptions(
      { summary: `Assistant: accept campaign with ${input.products.length} product(s) on ${input.channels.length} channel(s)` }, [input]);
    const plan = accepted.plan;
    const planInput: CampaignPlanInput = {
      campaignName: accepted.name, goal: accepted.goal, objective: plan.objective, language: accepted.language,
      startDate: accepted.startDate, endDate: accepted.endDate, days: plan.days, budget: formatUah(accepted.budgetKop),
      channels: plan.channelBudgets.map((c) => ({ channel: c.channel, budget: formatUah(c.budgetKop) })),
      products: accepted.products.map((p) => ({ sku: p.sku, name: p.name, category: p.category })),
      metrics: plan.metrics, maxDiscountPercent: Math.floor(plan.maxDiscountBp / 100),
    };
    const planText = await generateOrFallback(llm, agents, {
      task: 'campaign_plan', agent: 'assistant', crew, step: 'assistant', input: planInput,
      summary: 'Assistant: campaign plan (LLM)', fallback: () => fallbackPlan(planInput),
    });
    done('assistant', planText.usedFallback);

    enter('warehouse', 'checking that stock and expiry carry the promo demand');
    const assessment = await agents.campaignWarehouseAssess.executeWithOptions(
      { summary: `Warehouse: promo demand vs sellable stock through ${accepted.endDate}` }, [workflowId, accepted, planText.output]);
    registered = true;
    const promoted = assessment.products.filter((p) => p.decision === 'promote');
    const dropped = assessment.products.filter((p) => p.decision === 'dropped');
    const consignors = [...new Set(promoted.map((p) => p.consignorCode))];
    // A one-consignor campaign is findable by that consignor in the Web UI.
    if (consignors.length === 1) upsertSearchAttributes([{ key: SearchAttr.ConsignorId, value: consignors[0]! }]);
    done('warehouse');

    enter('smm', `content for ${accepted.channels.map((c) => CHANNEL_LABEL[c]).join(', ')}`);
    const maxDiscountPercent = Math.floor(Math.max(0, ...promoted.map((p) => p.plannedDiscountBp)) / 100);
    const slug = campaignSlug(accepted.name, accepted.campaignId);
    const forbidden = dropped.map((p) => ({ sku: p.sku, name: p.name }));
    const contents = await Promise.all(accepted.channels.map(async (channel) => {
      const contentInput: CampaignChannelContentInput = {
        channel, campaignName: accepted.name, language: accepted.language, startDate: accepted.startDate, endDate: accepted.endDate,
        promoCode: promoCodeFor(accepted.campaignId, channel), maxDiscountPercent, landingPath: slug,
        products: promoted.map((p) => ({ sku: p.sku, name: p.name, price: formatUah(p.priceKop), sellableUnits: p.sellableUnits, limited: p.sellableUnits < p.expectedUnits })),
        forbidden, limits: CHANNEL_LIMITS[channel],
      };
      const outcome = await generateOrFallback(llm, agents, {
        task: 'campaign_channel_content', agent: 'smm', crew, step: 'smm', input: contentInput,
        summary: `SMM: ${CHANNEL_LABEL[channel]} content (LLM)`, fallback: () => fallbackChannelContent(contentInput),
      });
      const out = outcome.output;
      return {
        channel, promoCode: contentInput.promoCode, headline: out.headline, body: out.body, callToAction: out.callToAction,
        hashtags: normalizeHashtags(out.hashtags, CHANNEL_LIMITS[channel].hashtags),
        source: outcome.usedFallback ? 'fallback' as const : 'llm' as const,
      };
    }));
    const content = await agents.smmRecordContent.executeWithOptions({ summary: `SMM: store ${contents.length} channel text(s)` }, [accepted.campaignId, contents]);
    done('smm', contents.some((c) => c.source === 'fallback'));

    enter('seo', `landing page /${slug}`);
    const seoInput: CampaignSeoInput = {
      campaignName: accepted.name, language: accepted.language, slug, startDate: accepted.startDate, endDate: accepted.endDate, maxDiscountPercent,
      products: promoted.map((p) => ({ sku: p.sku, name: p.name, category: p.category, price: formatUah(p.priceKop) })), forbidden,
    };
    const seo = await generateOrFallback(llm, agents, {
      task: 'campaign_seo', agent: 'seo', crew, step: 'seo', input: seoInput,
      summary: 'SEO: landing page title, description, metadata (LLM)', fallback: () => fallbackSeo(seoInput),
    });
    const page = await agents.seoRecordPage.executeWithOptions({ summary: `SEO: store page /${slug}` },
      [accepted.campaignId, slug, seo.output, seo.usedFallback ? 'fallback' : 'llm']);
    done('seo', seo.usedFallback);

    enter('finance', 'campaign prices (never below cost) and promo codes');
    const pricing = await agents.financePriceCampaign.executeWithOptions({ summary: `Finance: prices for ${promoted.length} product(s), ${accepted.channels.length} promo code(s)` }, [accepted.campaignId]);
    done('finance');

    enter('analytics', 'KPI targets and how they are measured');
    const kpis = await agents.analyticsComputeKpis.executeWithOptions({ summary: 'Analytics: KPI targets (code)' }, [accepted.campaignId]);
    const briefInput: CampaignKpiBriefInput = {
      campaignName: accepted.name, language: accepted.language, startDate: accepted.startDate, endDate: accepted.endDate,
      promoCodes: pricing.codes.map((c) => ({ code: c.code, channel: c.channel })),
      kpis: kpis.map((k) => ({ code: k.code, label: k.label, target: formatKpiTarget(k.target, k.unit), measuredBy: k.measuredBy })),
    };
    const brief = await generateOrFallback(llm, agents, {
      task: 'campaign_kpi_brief', agent: 'analytics', crew, step: 'analytics', input: briefInput,
      summary: 'Analytics: KPI brief (LLM)', fallback: () => fallbackKpiBrief(briefInput),
    });
    const briefText = [brief.output.brief, ...brief.output.risks.map((r) => `- ${r}`)].join('\n');
    await agents.analyticsRecordKpis.executeWithOptions({ summary: `Analytics: store ${kpis.length} KPI target(s)` }, [accepted.campaignId, kpis, briefText]);
    done('analytics', brief.usedFallback);

    progress.step = 'done';
    setCurrentDetails(`Ready: ${promoted.length} product(s) promoted${dropped.length ? `, ${dropped.length} dropped` : ''}; codes ${pricing.codes.map((c) => c.code).join(', ')}`);
    const priceOf = new Map(pricing.prices.map((p) => [p.sku, p]));
    const summary = (p: AssessedProduct) => ({ sku: p.sku, name: p.name, expectedUnits: p.expectedUnits, sellableUnits: p.sellableUnits, flags: p.flags });
    return {
      campaignId: accepted.campaignId,
      status: 'ready',
      promoted: promoted.map((p) => {
        const price = priceOf.get(p.sku);
        return { ...summary(p), discountBp: price?.discountBp ?? 0, regularPriceKop: price?.regularPriceKop ?? p.priceKop, promoPriceKop: price?.promoPriceKop ?? p.priceKop, targetUnits: price?.targetUnits ?? 0 };
      }),
      dropped: dropped.map((p) => ({ ...summary(p), reason: `all ${p.expiringUnits} free unit(s) expire before ${accepted.endDate}` })),
      content: content.map((c) => ({ channel: c.channel, headline: c.headline, promoCode: c.promoCode })),
      page,
      promoCodes: pricing.codes,
      kpis: kpis.map((k) => ({ code: k.code, target: k.target, unit: k.unit })),
      fallbacks,
    };
  } catch (err) {
    progress.step = 'failed';
    if (registered) {
      // Recorded even when the crew is being cancelled, so the campaign row never looks live.
      await CancellationScope.nonCancellable(() => agents.campaignMarkFailed(input.campaignId, failureReason(err)));
    }
    if (isCancellation(err)) throw err;
    const cause = err instanceof ApplicationFailure ? err
      : err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
    log.warn('campaign crew failed', { reason: failureReason(err), registered });
    throw ApplicationFailure.create({
      type: cause?.type ?? 'CampaignFailed',
      message: `campaign ${input.campaignId} failed: ${failureReason(err)}`,
      nonRetryable: true,
      details: cause?.details?.length ? [...cause.details] : undefined,
      cause: err instanceof Error ? err : undefined,
    });
  }
}
