import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AcceptedOrder, BasketLineAnalysis, ChosenLine } from '../activities/orders';
import type { OrderConfirmationInput } from '../llm/contract';
import {
  FULFILL_ORDER_CREW,
  orderProgressQuery,
  type FulfillOrderInput,
  type FulfillOrderResult,
  type OrderProgress,
  type OrderStep,
} from '../orders/contract';
import { fallbackConfirmation, SUPPORT_CONTACTS } from '../orders/messages';
import { FailureType } from '../shared/errors';
import { formatUah } from '../shared/money';
import { priorityKeyOf } from '../shared/priority';
import { SearchAttr } from '../shared/temporal';
import { agentActivities, failureReason, generateOrFallback, LlmCaller, type AgentProxy } from './proxies';

/**
 * The order crew: Assistant → Seller → Warehouse → Logistics → Finance → Customer Care.
 * Stock and money are decided by agent activities in Postgres; the LLM only chooses among
 * substitutes the code offers and writes the confirmation. A step that fails for good
 * unwinds everything done before it (saga), then the workflow fails with that step's type.
 */
export async function fulfillOrder(input: FulfillOrderInput): Promise<FulfillOrderResult> {
  const { workflowId } = workflowInfo();
  const tier = input.priority ?? 'regular';
  const priorityKey = priorityKeyOf(tier);
  let agents = agentActivities(priorityKey);
  let llm = new LlmCaller({ priorityKey, tier, pinnedPool: input.llmPool });

  const progress: OrderProgress = { step: 'assistant', completed: [], compensations: [] };
  setHandler(orderProgressQuery, () => progress);
  const compensations: { name: string; run: () => Promise<void> }[] = [];
  const fallbacks: OrderStep[] = [];

  const enter = (step: OrderStep, details: string) => {
    progress.step = step;
    setCurrentDetails(`**${step}**: ${details}`);
  };
  const done = (step: OrderStep) => progress.completed.push(step);

  try {
    enter('assistant', 'validating the order');
    const accepted: AcceptedOrder = await agents.assistantAcceptOrder.executeWithOptions(
      { summary: `Assistant: validate and accept ${input.items.length} line(s)` }, [input, workflowId]);
    compensations.push({ name: 'cancel order', run: () => agents.compensateCancelOrder(accepted.orderId, 'crew failed') });
    upsertSearchAttributes([{ key: SearchAttr.BuyerTier, value: accepted.buyer.tier }]);
    // patched(): crews started before consignor fairness existed replay without it.
    if (accepted.consignor && patched('consignor-fairness')) {
      // Work that belongs to one consignor queues under its fairness key, so one consignor's flood
      // cannot starve the others' orders.
      const fairness = { key: accepted.consignor.code, weight: accepted.consignor.fairnessWeight };
      agents = agentActivities(priorityKey, fairness);
      llm = new LlmCaller({ priorityKey, tier, pinnedPool: input.llmPool, fairness, consignorId: accepted.consignor.code });
      upsertSearchAttributes([{ key: SearchAttr.ConsignorId, value: accepted.consignor.code }]);
    }
    done('assistant');

    enter('seller', 'checking availability and pricing');
    const analysis = await agents.sellerCheckAvailability.executeWithOptions(
      { summary: `Seller: availability of ${accepted.items.length} line(s)` }, [accepted]);
    const chosen: ChosenLine[] = [];
    for (const line of analysis) {
      chosen.push(await chooseLine(line, accepted, input, llm, agents, fallbacks));
    }
    const basket = await agents.sellerPriceBasket.executeWithOptions(
      { summary: `Seller: price ${chosen.length} line(s) with buyer terms` }, [accepted.orderId, chosen]);
    done('seller');

    enter('warehouse', 'reserving stock per batch (earliest expiry first)');
    compensations.push({ name: 'release reservations', run: () => agents.compensateReleaseReservations(accepted.orderId) });
    const reservation = await agents.warehouseReserve.executeWithOptions(
      { summary: `Warehouse: reserve ${chosen.length} line(s)` }, [accepted.orderId]);
    done('warehouse');

    enter('logistics', 'planning route, carrier and tracking');
    compensations.push({ name: 'cancel shipments', run: () => agents.compensateCancelShipments(accepted.orderId) });
    const shipments = await agents.logisticsPlanShipments.executeWithOptions(
      { summary: `Logistics: ship from ${new Set(reservation.pickingList.map((p) => p.hubCode)).size} hub(s)` },
      [accepted.orderId, input.deliveryAddress]);
    done('logistics');

    enter('finance', 'recording the sale in the ledger');
    const saleKey = `${workflowId}:finance`;
    compensations.push({ name: 'reverse sale', run: () => agents.compensateReverseSale(accepted.orderId, saleKey) });
    const sale = await agents.financeRecordSale.executeWithOptions(
      { summary: 'Finance: sale, commission and consignor payables' }, [accepted.orderId, saleKey]);
    done('finance');

    enter('customer_care', 'writing the confirmation');
    const confirmationInput: OrderConfirmationInput = {
      orderId: accepted.orderId,
      language: input.language ?? 'uk',
      lines: basket.lines.map((l) => ({ name: l.name, qty: l.qty })),
      total: formatUah(sale.totalKop),
      paymentDueDate: sale.paymentDueDate,
      shipments: shipments.map((s) => ({ carrier: s.carrier, trackingNumber: s.trackingNumber, etaDate: s.etaDate, hubCity: s.hubCity })),
      substitutions: basket.lines.filter((l) => l.substitutedFor).map((l) => ({ requested: l.substitutedFor!, delivered: l.name })),
      supportContacts: SUPPORT_CONTACTS,
    };
    const care = await generateOrFallback(llm, agents, {
      task: 'order_confirmation', agent: 'customer_care', crew: FULFILL_ORDER_CREW, step: 'customer_care',
      input: confirmationInput, summary: 'Customer Care: confirmation message (LLM)',
      fallback: () => fallbackConfirmation(confirmationInput),
    });
    if (care.usedFallback) fallbacks.push('customer_care');
    const confirmation = care.output;
    const message = `${confirmation.subject}\n\n${confirmation.message}`;
    await agents.careRecordConfirmation.executeWithOptions({ summary: 'Customer Care: store confirmation' }, [accepted.orderId, message]);
    done('customer_care');

    progress.step = 'done';
    setCurrentDetails(`Confirmed: ${formatUah(sale.totalKop)}, ${shipments.map((s) => s.trackingNumber).join(', ')}`);
    return {
      orderId: accepted.orderId,
      status: 'confirmed',
      totalKop: sale.totalKop,
      subtotalKop: basket.subtotalKop,
      discountKop: basket.discountKop,
      deliveryKop: sale.deliveryKop,
      paymentDueDate: sale.paymentDueDate,
      lines: basket.lines.map((l) => ({ lineNo: l.lineNo, sku: l.sku, qty: l.qty, unitPriceKop: l.unitPriceKop, ...(l.substitutedFor ? { substitutedFor: l.substitutedFor } : {}) })),
      shipments: shipments.map((s) => ({ hubCode: s.hubCode, carrier: s.carrier, trackingNumber: s.trackingNumber, etaDate: s.etaDate })),
      confirmationMessage: message,
      fallbacks,
    };
  } catch (err) {
    progress.step = 'compensating';
    setCurrentDetails(`Compensating after: ${failureReason(err)}`);
    // Compensations must run even if the workflow is being cancelled, hence the non-cancellable scope.
    await CancellationScope.nonCancellable(async () => {
      for (const compensation of compensations.reverse()) {
        await compensation.run();
        progress.compensations.push(compensation.name);
      }
    });
    progress.step = 'failed';
    if (isCancellation(err)) throw err;
    const cause = err instanceof ApplicationFailure ? err
      : err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
    log.warn('order crew failed and was compensated', { reason: failureReason(err), compensations: progress.compensations });
    throw ApplicationFailure.create({
      type: cause?.type ?? 'OrderFailed',
      message: `order ${input.orderId} failed: ${failureReason(err)}`,
      nonRetryable: true,
      details: [{ compensations: progress.compensations }],
      cause: err instanceof Error ? err : undefined,
    });
  }
}

/** One basket line: as ordered when in stock, else a substitute (LLM's pick among code's candidates, or code's first). */
async function chooseLine(
  line: BasketLineAnalysis,
  accepted: AcceptedOrder,
  input: FulfillOrderInput,
  llm: LlmCaller,
  agents: AgentProxy,
  fallbacks: OrderStep[],
): Promise<ChosenLine> {
  const asOrdered = { lineNo: line.lineNo, requestedProductId: line.productId, productId: line.productId, qty: line.qty };
  if (line.available >= line.qty) return asOrdered;
  const first = line.candidates[0];
  if (input.allowSubstitutes === false || first === undefined) {
    throw ApplicationFailure.create({
      type: FailureType.OutOfStock,
      nonRetryable: true,
      message: `${line.sku}: ${line.available} available, ${line.qty} ordered${input.allowSubstitutes === false ? ', substitutes not allowed' : ', no substitute in stock'}`,
    });
  }
  const item = accepted.items.find((i) => i.lineNo === line.lineNo)!;
  const choice = await generateOrFallback(llm, agents, {
    task: 'choose_substitute', agent: 'seller', crew: FULFILL_ORDER_CREW, step: 'seller',
    summary: `Seller: choose substitute for ${line.sku} (LLM)`,
    input: {
      requested: { sku: line.sku, name: item.name, category: item.category, qty: line.qty },
      candidates: line.candidates.map((c) => ({ sku: c.sku, name: c.name, priceKop: c.priceKop, available: c.available })),
    },
    // Candidates come ordered by price closeness, so code's choice is the first.
    fallback: () => ({ sku: first.sku, reason: 'closest price in the same category' }),
  });
  if (choice.usedFallback) fallbacks.push('seller');
  const pick = choice.output;
  const candidate = line.candidates.find((c) => c.sku === pick.sku) ?? first;
  return { ...asOrdered, productId: candidate.productId, substitutionReason: pick.reason };
}
