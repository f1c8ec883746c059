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
import type { CardCopy, RegisteredVendor } from '../activities/onboarding';
import type { OnboardingCardCopyInput, OnboardingPlanInput, OnboardingRecommendationsInput } from '../llm/contract';
import {
  ONBOARD_VENDOR_CREW,
  onboardingProgressQuery,
  type OnboardVendorInput,
  type OnboardVendorResult,
  type OnboardingProgress,
  type OnboardingStep,
} from '../onboarding/contract';
import { fallbackCardCopy, fallbackOnboardingPlan, fallbackRecommendations } from '../onboarding/rules';
import { priorityKeyOf } from '../shared/priority';
import { SearchAttr } from '../shared/temporal';
import { agentActivities, failureReason, generateOrFallback, LlmCaller } from './proxies';

/**
 * The onboarding crew: Assistant → Catalog → Warehouse → Finance → Vendor Success.
 * Requisites, duplicates, placement, pricing and dates are decided by agent activities in
 * Postgres; the LLM writes the plan, the card copy and the recommendations, each with a
 * deterministic fallback. The consignor stays `onboarding` with draft cards until the last step
 * launches it; a step that fails for good rolls back what the run wrote (saga).
 */
export async function onboardVendor(input: OnboardVendorInput): Promise<OnboardVendorResult> {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  // The first run id survives retries and continue-as-new, yet differs for a new run after a failed one.
  const runKey = `${workflowId}/${firstExecutionRunId}`;
  const tier = input.priority ?? 'regular';
  const priorityKey = priorityKeyOf(tier);
  let agents = agentActivities(priorityKey);
  let llm = new LlmCaller({ priorityKey, tier, pinnedPool: input.llmPool });

  const progress: OnboardingProgress = { step: 'assistant', completed: [], compensations: [] };
  setHandler(onboardingProgressQuery, () => progress);
  const fallbacks: OnboardingStep[] = [];
  const enter = (step: OnboardingStep, details: string) => {
    progress.step = step;
    setCurrentDetails(`**${step}**: ${details}`);
  };
  const done = (step: OnboardingStep) => progress.completed.push(step);
  const fellBack = (step: OnboardingStep) => {
    if (!fallbacks.includes(step)) fallbacks.push(step);
  };

  let vendor: RegisteredVendor | undefined;
  try {
    enter('assistant', 'checking requisites and duplicates');
    vendor = await agents.assistantRegisterVendor.executeWithOptions(
      { summary: `Assistant: register ${input.name} (EDRPOU ${input.requisites?.edrpou})` }, [input, workflowId, runKey]);
    const registered = vendor;
    progress.consignorId = registered.consignorId;
    // From here the work belongs to one consignor: its fairness key (weight by plan) and cloud token budget.
    const fairness = { key: registered.consignorCode, ...(registered.fairnessWeight !== undefined ? { weight: registered.fairnessWeight } : {}) };
    agents = agentActivities(priorityKey, fairness);
    llm = new LlmCaller({ priorityKey, tier, pinnedPool: input.llmPool, fairness, consignorId: registered.consignorCode });
    upsertSearchAttributes([{ key: SearchAttr.ConsignorId, value: registered.consignorCode }]);
    const planInput: OnboardingPlanInput = {
      consignorName: registered.name, plan: registered.plan, language: registered.language,
      ...(registered.region ? { region: registered.region } : {}),
      products: registered.products.map((p) => ({ name: p.name, category: p.category })),
      hubs: registered.hubs,
      checklist: registered.checklist.map((c) => ({ title: c.title, owner: c.owner, ...(c.dueDate ? { dueDate: c.dueDate } : {}) })),
    };
    const plan = await generateOrFallback(llm, agents, {
      task: 'onboarding_plan', agent: 'assistant', crew: ONBOARD_VENDOR_CREW, step: 'assistant', input: planInput,
      summary: 'Assistant: onboarding plan (LLM)', fallback: () => fallbackOnboardingPlan(planInput),
    });
    if (plan.usedFallback) fellBack('assistant');
    await agents.assistantRecordOnboardingPlan.executeWithOptions({ summary: 'Assistant: store the plan' }, [registered.onboardingId, plan.output.plan]);
    done('assistant');

    enter('catalog', `product cards for ${registered.products.length} product(s), duplicate check`);
    const reviewed = await agents.catalogReviewVendorProducts.executeWithOptions(
      { summary: `Catalog: attributes and likely duplicates of ${registered.products.length} product(s)` }, [registered.onboardingId]);
    const copies: CardCopy[] = await Promise.all(reviewed.filter((p) => !p.duplicate).map(async (p) => {
      const copyInput: OnboardingCardCopyInput = {
        consignorName: registered.name, language: registered.language, name: p.name, category: p.category,
        ingredients: p.ingredients, allergens: p.allergens, weightG: p.weightG, volumeMl: p.volumeMl, storage: p.storage,
        shelfLifeDays: p.shelfLifeDays, ...(p.description ? { sourceText: p.description } : {}),
      };
      const copy = await generateOrFallback(llm, agents, {
        task: 'onboarding_card_copy', agent: 'catalog', crew: ONBOARD_VENDOR_CREW, step: 'catalog', input: copyInput,
        summary: `Catalog: card copy for "${p.name}" (LLM)`, fallback: () => fallbackCardCopy(copyInput),
      });
      if (copy.usedFallback) fellBack('catalog');
      return { lineNo: p.lineNo, ...copy.output };
    }));
    const duplicates = reviewed.flatMap((p) => (p.duplicate ? [{ lineNo: p.lineNo, productId: p.duplicate.productId, similarity: p.duplicate.similarity }] : []));
    const catalog = await agents.catalogCreateVendorCards.executeWithOptions(
      { summary: `Catalog: ${copies.length} draft card(s), ${duplicates.length} merge proposal(s)` }, [registered.onboardingId, copies, duplicates]);
    done('catalog');

    enter('warehouse', 'hub placement, first batches, expiry rules');
    const warehouse = await agents.warehousePlaceVendorBatches.executeWithOptions(
      { summary: `Warehouse: place ${catalog.cards.length} product(s), announce first batches` }, [registered.onboardingId]);
    done('warehouse');

    enter('finance', 'pricing model, commission, payment terms');
    const pricing = await agents.financeSetVendorPricing.executeWithOptions(
      { summary: `Finance: ${registered.plan} plan terms and price check` }, [registered.onboardingId]);
    done('finance');

    enter('vendor_success', 'launch checklist, success metrics, first revenue date');
    const launch = await agents.vendorSuccessPlanLaunch.executeWithOptions(
      { summary: 'Vendor Success: launch checklist, metrics and dates' }, [registered.onboardingId]);
    const recInput: OnboardingRecommendationsInput = {
      consignorName: registered.name, language: registered.language, plan: registered.plan, commission: launch.commission,
      paymentTermsDays: launch.paymentTermsDays, firstSaleDate: launch.firstSaleDate, firstPayoutDate: launch.firstPayoutDate,
      pending: launch.pending, weakSpots: launch.weakSpots,
      metrics: launch.metrics.map((m) => `${m.title}: ${m.target} ${m.unit} by ${m.dueDate}`),
    };
    const recommendations = await generateOrFallback(llm, agents, {
      task: 'onboarding_recommendations', agent: 'vendor_success', crew: ONBOARD_VENDOR_CREW, step: 'vendor_success', input: recInput,
      summary: 'Vendor Success: recommendations (LLM)', fallback: () => fallbackRecommendations(recInput),
    });
    if (recommendations.usedFallback) fellBack('vendor_success');
    const checklist = await agents.vendorSuccessLaunchVendor.executeWithOptions(
      { summary: `Vendor Success: launch ${registered.consignorCode}` }, [registered.onboardingId, recommendations.output.recommendations]);
    done('vendor_success');

    progress.step = 'done';
    setCurrentDetails(`Active: ${registered.consignorCode}, ${catalog.cards.length} card(s), ${catalog.mergeProposals.length} merge proposal(s), first sale by ${launch.firstSaleDate}`);
    return {
      consignorId: registered.consignorId,
      consignorCode: registered.consignorCode,
      status: 'active',
      plan: plan.output.plan,
      cards: catalog.cards,
      mergeProposals: catalog.mergeProposals,
      placements: warehouse.placements,
      expiryRules: warehouse.expiryRules,
      pricing,
      checklist,
      metrics: launch.metrics,
      firstSaleDate: launch.firstSaleDate,
      firstPayoutDate: launch.firstPayoutDate,
      recommendations: recommendations.output.recommendations,
      fallbacks,
    };
  } catch (err) {
    const cause = err instanceof ApplicationFailure ? err
      : err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
    const type = cause?.type ?? 'OnboardingFailed';
    if (vendor) {
      const onboardingId = vendor.onboardingId;
      progress.step = 'compensating';
      setCurrentDetails(`Compensating after: ${failureReason(err)}`);
      // Compensation must run even if the workflow is being cancelled, hence the non-cancellable scope.
      await CancellationScope.nonCancellable(async () => {
        const outcome = await agents.compensateVendorOnboarding.executeWithOptions(
          { summary: `Undo onboarding of ${vendor?.consignorCode ?? 'consignor'}` }, [onboardingId, isCancellation(err) ? 'Cancelled' : type, failureReason(err)]);
        progress.compensations.push(outcome.mode);
      });
    }
    progress.step = 'failed';
    if (isCancellation(err)) throw err;
    log.warn('onboarding crew failed', { reason: failureReason(err), compensations: progress.compensations });
    throw ApplicationFailure.create({
      type,
      message: `onboarding of ${input.name} failed: ${failureReason(err)}`,
      nonRetryable: true,
      details: [{ compensations: progress.compensations, ...(cause?.details?.length ? { cause: cause.details[0] } : {}) }],
      cause: err instanceof Error ? err : undefined,
    });
  }
}
