import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createOnboardingActivities } from '../src/activities/onboarding';
import { generateDemoData } from '../src/db/seed-data';
import { startOnboardVendor } from '../src/onboarding/client';
import type { OnboardVendorInput } from '../src/onboarding/contract';
import { chooseHub, expiryRuleFor, firstPayoutDate, PLAN_TERMS, type HubZoneOption } from '../src/onboarding/rules';
import { isValidEdrpou, isValidUaIban } from '../src/onboarding/schema';
import { DATABASE_URL, startPlatform, TEMPORAL_ADDRESS, workflowBundle, type Platform } from './harness';
import { domainCounts, freshEdrpou, freshIban, productLine, seededProduct, vendorInput } from './onboarding-fixtures';

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError, `expected the workflow to fail, got ${String(err)}`);
  assert.ok(err.cause instanceof ApplicationFailure, `expected an application failure, got ${String(err.cause)}`);
  return err.cause;
}

/** Runs that the replay test re-executes against today's workflow code; named ones can be recorded for test/replay.test.ts. */
const finishedRuns: { workflowId: string; runId: string; name?: string }[] = [];

async function run(platform: Platform, input: OnboardVendorInput, name?: string) {
  const { handle, started } = await startOnboardVendor(platform.client, input);
  assert.equal(started, true);
  finishedRuns.push({ workflowId: handle.workflowId, runId: (await handle.describe()).runId, ...(name ? { name } : {}) });
  return handle.result();
}

describe('onboarding rules (pure)', () => {
  test('requisite validators accept every seeded consignor and reject near misses', () => {
    for (const c of generateDemoData({ seed: 7 }).consignors) {
      assert.ok(isValidEdrpou(c.edrpou), c.edrpou);
      assert.ok(isValidUaIban(c.iban), c.iban);
    }
    const good = freshEdrpou();
    assert.equal(isValidEdrpou(`${good.slice(0, 7)}${(Number(good[7]) + 1) % 10}`), false);
    assert.equal(isValidEdrpou(good.slice(0, 7)), false);
    const iban = freshIban();
    assert.equal(isValidUaIban(`${iban.slice(0, 28)}${(Number(iban[28]) + 1) % 10}`), false);
  });

  test('hub placement prefers a requested hub with the right zone, else the largest zone elsewhere', () => {
    const zones: HubZoneOption[] = [
      { hubId: 1, hubCode: 'AAA', zoneId: 11, zoneCode: 'AMB-01', temperatureZone: 'ambient', racks: 5 },
      { hubId: 2, hubCode: 'BBB', zoneId: 21, zoneCode: 'FRZ-01', temperatureZone: 'frozen', racks: 4 },
      { hubId: 3, hubCode: 'CCC', zoneId: 31, zoneCode: 'FRZ-01', temperatureZone: 'frozen', racks: 9 },
    ];
    assert.deepEqual(chooseHub('ambient', ['AAA'], zones), { zone: zones[0], requested: true });
    assert.deepEqual(chooseHub('frozen', ['AAA', 'BBB'], zones), { zone: zones[1], requested: true });
    assert.deepEqual(chooseHub('frozen', ['AAA'], zones), { zone: zones[2], requested: false });
    assert.equal(chooseHub('chilled', ['AAA'], zones), undefined);
  });

  test('expiry rules scale with shelf life and payouts follow the monthly settlement', () => {
    assert.deepEqual(expiryRuleFor('bakery', 7, 3), { category: 'bakery', alertDaysBefore: 2, markdownDaysBefore: 1, minDaysToSell: 3 });
    assert.deepEqual(expiryRuleFor('dairy', 14, 3), { category: 'dairy', alertDaysBefore: 4, markdownDaysBefore: 2, minDaysToSell: 3 });
    assert.deepEqual(expiryRuleFor('honey', 730, 3), { category: 'honey', alertDaysBefore: 30, markdownDaysBefore: 14, minDaysToSell: 3 });
    assert.equal(firstPayoutDate('2025-12-20', 14), '2026-01-15');
    assert.equal(firstPayoutDate('2025-06-01', 21), '2025-07-22');
  });
});

describe('onboard_vendor crew', () => {
  let platform: Platform;
  before(async () => { platform = await startPlatform(); });
  after(async () => { await platform.stop(); });

  test('happy path: cards, a merge proposal for a duplicate, placement, batches, rules, pricing, launch', async () => {
    const twin = await seededProduct(platform.db, 'honey');
    const input = vendorInput(platform, {
      plan: 'premium',
      hubs: ['LVI', 'KYI'],
      products: [
        productLine({ media: ['https://media.example.com/syr.jpg'], description: 'Сир із молока корів власної ферми.' }),
        // The same product as a seeded card, written differently: the Catalog must propose a merge, not a second card.
        productLine({ name: twin.name.replace(',', ''), category: 'honey', weightG: twin.weightG, volumeMl: twin.weightG, storage: 'ambient', shelfLifeDays: 365, allergens: [], ingredients: ['мед'] }),
        productLine({ name: 'Кефір тестовий 2,5%, 500 мл', category: 'dairy', weightG: 515, volumeMl: 500, shelfLifeDays: 10, allergens: ['молоко', 'лактоза'] }),
        productLine({ name: 'Пельмені тестові, 800 г', category: 'frozen', storage: 'frozen', weightG: 800, volumeMl: 1100, shelfLifeDays: 180, allergens: ['глютен', 'яйця'] }),
      ],
    });
    const result = await run(platform, input, 'happy');
    const workflowId = `onboard-${input.requisites.edrpou}`;

    const consignor = await platform.db.query<{ id: number; code: string; status: string; commission_bp: number; payment_terms_days: number; plan: string; iban: string }>(
      'SELECT id, code, status, commission_bp, payment_terms_days, plan, iban FROM consignors WHERE edrpou = $1', [input.requisites.edrpou]);
    const c = consignor.rows[0]!;
    assert.equal(c.status, 'active');
    assert.equal(result.status, 'active');
    assert.equal(result.consignorId, c.id);
    assert.equal(c.code, `C${String(c.id).padStart(3, '0')}`);
    assert.equal(c.plan, 'premium');
    assert.equal(c.commission_bp, PLAN_TERMS.premium.commissionBp);
    assert.equal(c.payment_terms_days, PLAN_TERMS.premium.paymentTermsDays);
    assert.equal(c.iban, input.requisites.iban);
    assert.deepEqual(result.fallbacks, [], 'the simulator answers pass every semantic check');

    // Catalog: three live cards with every attribute, and a merge proposal instead of a card for the twin.
    const cards = await platform.db.query<{ sku: string; name: string; active: boolean; price_kop: number; cost_kop: number; allergens: string[]; storage: string; media: string[]; short_description: string; long_description: string; category: string }>(
      `SELECT p.sku, p.name, p.active, p.price_kop, p.cost_kop, p.allergens, p.storage, p.media, p.short_description, p.long_description, cat.code AS category
       FROM products p JOIN categories cat ON cat.id = p.category_id WHERE p.consignor_id = $1 ORDER BY p.sku`, [c.id]);
    assert.deepEqual(cards.rows.map((r) => r.sku), [`GF-${c.code}-01`, `GF-${c.code}-03`, `GF-${c.code}-04`]);
    assert.ok(cards.rows.every((r) => r.active && r.short_description.length >= 10 && r.long_description.length >= 40));
    assert.deepEqual(cards.rows.map((r) => r.category), ['cheese', 'dairy', 'frozen']);
    assert.deepEqual(cards.rows[1]!.allergens, ['молоко', 'лактоза']);
    assert.deepEqual(cards.rows[0]!.media, ['https://media.example.com/syr.jpg']);
    for (const card of cards.rows) {
      for (const allergen of card.allergens) assert.ok(card.long_description.toLowerCase().includes(allergen), `${card.sku} copy names ${allergen}`);
    }
    const proposals = await platform.db.query<{ line_no: number; existing_product_id: number; similarity: number; status: string; name: string }>(
      `SELECT m.line_no, m.existing_product_id, m.similarity::float8 AS similarity, m.status, m.proposed_card->>'name' AS name
       FROM product_merge_proposals m JOIN onboarding_runs r ON r.id = m.onboarding_id WHERE r.workflow_id = $1`, [workflowId]);
    assert.equal(proposals.rows.length, 1);
    const proposal = proposals.rows[0]!;
    assert.equal(proposal.line_no, 2);
    assert.equal(proposal.existing_product_id, twin.id);
    assert.equal(proposal.status, 'pending');
    assert.ok(proposal.similarity >= 0.75, `similarity ${proposal.similarity}`);
    assert.deepEqual(result.mergeProposals.map((m) => [m.lineNo, m.existingSku]), [[2, twin.sku]]);

    // Warehouse: every card on the requested hub with a zone of its temperature, batch announced with expiry from shelf life.
    const batches = await platform.db.query<{ sku: string; status: string; hub: string; zone: string; qty: number; shelf_ok: boolean; requested_hub: boolean }>(
      `SELECT p.sku, b.status, h.code AS hub, z.temperature_zone AS zone, ob.qty, b.expiry_date = b.production_date + p.shelf_life_days AS shelf_ok, ob.requested_hub
       FROM batches b JOIN products p ON p.id = b.product_id JOIN onboarding_batches ob ON ob.batch_id = b.id
       JOIN hub_zones z ON z.id = ob.zone_id JOIN hubs h ON h.id = b.origin_hub_id WHERE b.consignor_id = $1 ORDER BY p.sku`, [c.id]);
    assert.deepEqual(batches.rows.map((b) => [b.sku, b.status, b.hub, b.zone, b.qty, b.shelf_ok, b.requested_hub]), [
      [`GF-${c.code}-01`, 'created', 'LVI', 'chilled', 20, true, true],
      [`GF-${c.code}-03`, 'created', 'LVI', 'chilled', 20, true, true],
      [`GF-${c.code}-04`, 'created', 'LVI', 'frozen', 20, true, true],
    ]);
    const stock = await platform.db.query('SELECT 1 FROM stock s JOIN batches b ON b.id = s.batch_id WHERE b.consignor_id = $1', [c.id]);
    assert.equal(stock.rowCount, 0, 'announced batches hold no stock until they are received');
    const rules = await platform.db.query<{ category: string; alert: number; markdown: number }>(
      `SELECT cat.code AS category, r.alert_days_before AS alert, r.markdown_days_before AS markdown
       FROM consignor_expiry_rules r JOIN categories cat ON cat.id = r.category_id WHERE r.consignor_id = $1 ORDER BY cat.code`, [c.id]);
    assert.deepEqual(rules.rows, [
      { category: 'cheese', ...pick(expiryRuleFor('cheese', 60, 3)) },
      { category: 'dairy', ...pick(expiryRuleFor('dairy', 10, 3)) },
      { category: 'frozen', ...pick(expiryRuleFor('frozen', 180, 3)) },
    ]);

    // Finance: the plan's terms, one priced line per submitted product (the twin included).
    const pricing = await platform.db.query<{ commission_bp: number; lines: { lineNo: number; commissionKop: number }[] }>(
      'SELECT commission_bp, lines FROM consignor_pricing_models WHERE consignor_id = $1', [c.id]);
    assert.equal(pricing.rows[0]!.commission_bp, 1000);
    assert.deepEqual(pricing.rows[0]!.lines.map((l) => l.lineNo), [1, 2, 3, 4]);
    assert.equal(result.pricing.lines[0]!.commissionKop, 1990, '10 % of 199.00 грн');
    assert.equal(result.pricing.lines[0]!.consignorMarginKop, 19_900 - 1990 - 11_000);

    // Vendor Success: dates computed by code, launch checklist, metrics, recommendations stored.
    const today = (await platform.db.query<{ d: string }>(`SELECT to_char(current_date, 'YYYY-MM-DD') AS d`)).rows[0]!.d;
    const plus = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    assert.equal(result.firstSaleDate, plus(2 + 1 + 2), 'arrival at a requested hub (2 d) + receipt (1 d) + first order (2 d)');
    assert.equal(result.firstPayoutDate, firstPayoutDate(result.firstSaleDate, PLAN_TERMS.premium.paymentTermsDays));
    const launch = await platform.db.query<{ first_sale: string; recommendations: string; metrics: { code: string }[]; launched: boolean }>(
      `SELECT to_char(first_sale_date, 'YYYY-MM-DD') AS first_sale, recommendations, metrics, launched_at IS NOT NULL AS launched
       FROM vendor_launch_plans WHERE consignor_id = $1`, [c.id]);
    assert.equal(launch.rows[0]!.first_sale, result.firstSaleDate);
    assert.ok(launch.rows[0]!.launched);
    assert.ok(launch.rows[0]!.recommendations.includes(result.firstSaleDate));
    assert.ok(launch.rows[0]!.metrics.some((m) => m.code === 'merge_decisions'));
    const checklist = await platform.db.query<{ code: string; status: string }>(
      `SELECT i.code, i.status FROM onboarding_checklist_items i JOIN onboarding_runs r ON r.id = i.onboarding_id WHERE r.workflow_id = $1 ORDER BY i.position`, [workflowId]);
    const status = Object.fromEntries(checklist.rows.map((r) => [r.code, r.status]));
    for (const code of ['requisites', 'catalog', 'warehouse', 'pricing', 'launch']) assert.equal(status[code], 'done', code);
    for (const code of ['contract', 'safety_docs', 'photos', 'deliver:LVI', 'merge_review', 'first_sale']) assert.equal(status[code], 'pending', code);
    const runRow = await platform.db.query<{ status: string; plan_text: string }>('SELECT status, plan_text FROM onboarding_runs WHERE workflow_id = $1', [workflowId]);
    assert.equal(runRow.rows[0]!.status, 'completed');
    assert.ok(runRow.rows[0]!.plan_text.includes(input.name));

    // Web UI: search attributes and one activity per agent tool, in crew order.
    const handle = platform.client.workflow.getHandle(workflowId);
    const attrs = Object.fromEntries((await handle.describe()).typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
    assert.deepEqual([attrs.Crew, attrs.ConsignorId, attrs.PriorityTier], ['onboard_vendor', c.code, 'regular']);
    const history = await handle.fetchHistory();
    const activities = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
    assert.deepEqual(activities, [
      'assistantRegisterVendor', 'llmGenerate', 'assistantRecordOnboardingPlan',
      'catalogReviewVendorProducts', 'llmGenerate', 'llmGenerate', 'llmGenerate', 'catalogCreateVendorCards',
      'warehousePlaceVendorBatches', 'financeSetVendorPricing',
      'vendorSuccessPlanLaunch', 'llmGenerate', 'vendorSuccessLaunchVendor',
    ]);
    const steps = await platform.db.query<{ step: string }>(`SELECT DISTINCT step FROM agent_runs WHERE workflow_id = $1 AND outcome = 'ok'`, [workflowId]);
    assert.deepEqual(steps.rows.map((r) => r.step).sort(), ['assistant', 'catalog', 'finance', 'vendor_success', 'warehouse']);
  });

  test('onboarding rejects a duplicate consignor (same EDRPOU or same IBAN) and writes nothing', async () => {
    const existing = await platform.db.query<{ edrpou: string; iban: string; code: string }>(`SELECT edrpou, iban, code FROM consignors WHERE code = 'C003'`);
    const seeded = existing.rows[0]!;
    for (const [i, requisites] of [
      { legalName: 'ТОВ «Двійник»', edrpou: seeded.edrpou, iban: freshIban() },
      { legalName: 'ТОВ «Двійник»', edrpou: freshEdrpou(), iban: seeded.iban },
    ].entries()) {
      const before = await domainCounts(platform.db);
      const failure = await failureOf(run(platform, vendorInput(platform, { requisites }), i === 0 ? 'duplicate' : undefined));
      assert.equal(failure.type, 'DuplicateConsignor');
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, new RegExp(`consignor ${seeded.code} .* already registered with this ${requisites.edrpou === seeded.edrpou ? 'EDRPOU' : 'IBAN'}`));
      assert.deepEqual(await domainCounts(platform.db), before);
    }
  });

  for (const [name, mutate, type] of [
    ['EDRPOU control digit', (i: OnboardVendorInput) => ({ ...i, requisites: { ...i.requisites, edrpou: `${i.requisites.edrpou.slice(0, 7)}${(Number(i.requisites.edrpou[7]) + 1) % 10}` } }), 'InvalidRequisites'],
    ['EDRPOU of 7 digits', (i: OnboardVendorInput) => ({ ...i, requisites: { ...i.requisites, edrpou: i.requisites.edrpou.slice(0, 7) } }), 'InvalidRequisites'],
    ['IBAN format', (i: OnboardVendorInput) => ({ ...i, requisites: { ...i.requisites, iban: 'DE89370400440532013000' } }), 'InvalidRequisites'],
    ['IBAN check digits', (i: OnboardVendorInput) => ({ ...i, requisites: { ...i.requisites, iban: `UA00${i.requisites.iban.slice(4)}` } }), 'InvalidRequisites'],
    ['email', (i: OnboardVendorInput) => ({ ...i, contacts: { ...i.contacts, email: 'not-an-email' } }), 'InvalidRequisites'],
    ['phone', (i: OnboardVendorInput) => ({ ...i, contacts: { ...i.contacts, phone: '067 111' } }), 'InvalidRequisites'],
    ['unknown category', (i: OnboardVendorInput) => ({ ...i, products: [productLine({ category: 'caviar' })] }), 'InvalidInput'],
    ['unknown hub', (i: OnboardVendorInput) => ({ ...i, hubs: ['XXX'] }), 'InvalidInput'],
    ['batch already past selling', (i: OnboardVendorInput) => ({ ...i, products: [productLine({ shelfLifeDays: 5, productionDate: '2020-01-01' })] }), 'InvalidInput'],
  ] as const) {
    test(`invalid request (${name}) fails ${type}, non-retryable, and writes nothing`, async () => {
      const input = mutate(vendorInput(platform));
      const before = await domainCounts(platform.db);
      const { handle } = await startOnboardVendor(platform.client, input);
      const failure = await failureOf(handle.result());
      assert.equal(failure.type, type);
      assert.equal(failure.nonRetryable, true);
      assert.deepEqual(await domainCounts(platform.db), before);
    });
  }

  test('price at or below cost fails at Finance; the saga rolls everything back and the corrected request runs again', async () => {
    const twin = await seededProduct(platform.db, 'cheese');
    const input = vendorInput(platform, {
      products: [
        productLine(),
        productLine({ name: twin.name, weightG: twin.weightG, priceKop: 10_000, costKop: 12_000 }),
      ],
    });
    const before = await domainCounts(platform.db);
    const failure = await failureOf(run(platform, input, 'compensated'));
    assert.equal(failure.type, 'PriceBelowCost');
    assert.match(failure.message, /line 2 .* price 100\.00 грн ≤ cost 120\.00 грн/);
    const workflowId = `onboard-${input.requisites.edrpou}`;

    const after = await domainCounts(platform.db);
    assert.deepEqual({ ...after, onboardingRuns: before.onboardingRuns, proposals: before.proposals }, before, 'consignor, cards, batches, rules and pricing are gone');
    assert.equal(after.onboardingRuns, before.onboardingRuns + 1, 'the run record stays');
    const runRow = await platform.db.query<{ status: string; failure_type: string; compensation: string; consignor_id: number | null }>(
      'SELECT status, failure_type, compensation, consignor_id FROM onboarding_runs WHERE workflow_id = $1', [workflowId]);
    assert.deepEqual(runRow.rows, [{ status: 'failed', failure_type: 'PriceBelowCost', compensation: 'rolled_back', consignor_id: null }]);
    const proposals = await platform.db.query<{ status: string }>(
      'SELECT m.status FROM product_merge_proposals m JOIN onboarding_runs r ON r.id = m.onboarding_id WHERE r.workflow_id = $1', [workflowId]);
    assert.deepEqual(proposals.rows, [{ status: 'withdrawn' }]);

    // ALLOW_DUPLICATE_FAILED_ONLY: the corrected request starts again under the same id; a double submit meanwhile starts nothing.
    const fixed = { ...input, products: [input.products[0]!, { ...input.products[1]!, priceKop: 15_000 }] };
    const again = await startOnboardVendor(platform.client, fixed);
    assert.equal(again.started, true);
    const concurrent = await startOnboardVendor(platform.client, fixed);
    assert.equal(concurrent.started, false);
    finishedRuns.push({ workflowId, runId: (await again.handle.describe()).runId, name: 'rerun' });
    const result = await again.handle.result();
    assert.equal(result.status, 'active');
    assert.equal(result.mergeProposals.length, 1);
    const afterSuccess = await startOnboardVendor(platform.client, fixed);
    assert.equal(afterSuccess.started, false, 'an onboarded EDRPOU is not onboarded twice');
    const runs = await platform.client.workflow.count(`WorkflowId = "${workflowId}"`);
    assert.equal(runs.count, 2);
    const consignors = await platform.db.query('SELECT 1 FROM consignors WHERE edrpou = $1', [input.requisites.edrpou]);
    assert.equal(consignors.rowCount, 1);
  });

  test('retried agent steps create nothing twice', async () => {
    const input = vendorInput(platform, { products: [productLine(), productLine({ category: 'frozen', storage: 'frozen', name: 'Вареники тестові, 700 г', weightG: 700 })] });
    const result = await run(platform, input);
    const workflowId = `onboard-${input.requisites.edrpou}`;
    const runRow = await platform.db.query<{ id: number; run_key: string }>('SELECT id, run_key FROM onboarding_runs WHERE workflow_id = $1', [workflowId]);
    const { id: onboardingId, run_key: runKey } = runRow.rows[0]!;
    const activities = createOnboardingActivities({ db: platform.db });
    const env = new MockActivityEnvironment({ attempt: 2 });
    // A second attempt of each step, as Temporal would run it after a lost completion.
    const retry = <T>(fn: () => Promise<T>): Promise<T> => env.run<[], T, () => Promise<T>>(fn);
    const before = await domainCounts(platform.db);
    const checklistBefore = await platform.db.query('SELECT 1 FROM onboarding_checklist_items WHERE onboarding_id = $1', [onboardingId]);

    const registered = await retry(() => activities.assistantRegisterVendor(input, workflowId, runKey));
    assert.equal(registered.consignorId, result.consignorId);
    const copies = result.cards.map((c) => ({ lineNo: c.lineNo, shortDescription: 'інший короткий опис', longDescription: 'інший довгий опис для перевірки повтору, молоко' }));
    const catalog = await retry(() => activities.catalogCreateVendorCards(onboardingId, copies, []));
    assert.deepEqual(catalog.cards, result.cards);
    const warehouse = await retry(() => activities.warehousePlaceVendorBatches(onboardingId));
    assert.deepEqual(warehouse.placements, result.placements);
    const pricing = await retry(() => activities.financeSetVendorPricing(onboardingId));
    assert.deepEqual(pricing, result.pricing);
    const launch = await retry(() => activities.vendorSuccessPlanLaunch(onboardingId));
    assert.equal(launch.firstSaleDate, result.firstSaleDate);
    await retry(() => activities.vendorSuccessLaunchVendor(onboardingId, result.recommendations));
    // A compensation arriving after the launch must not undo a live consignor.
    assert.deepEqual(await retry(() => activities.compensateVendorOnboarding(onboardingId, 'Test', 'late')), { mode: 'none' });

    assert.deepEqual(await domainCounts(platform.db), before);
    const checklistAfter = await platform.db.query('SELECT 1 FROM onboarding_checklist_items WHERE onboarding_id = $1', [onboardingId]);
    assert.equal(checklistAfter.rowCount, checklistBefore.rowCount);
    const card = await platform.db.query<{ short_description: string }>('SELECT short_description FROM products WHERE id = $1', [result.cards[0]!.productId]);
    assert.notEqual(card.rows[0]!.short_description, 'інший короткий опис', 'the first write wins');
    const consignor = await platform.db.query<{ status: string }>('SELECT status FROM consignors WHERE id = $1', [result.consignorId]);
    assert.equal(consignor.rows[0]!.status, 'active');
  });

  test('compensation suspends instead of deleting once other rows reference what the run wrote', async () => {
    const input = vendorInput(platform);
    const workflowId = `onboard-${input.requisites.edrpou}`;
    const activities = createOnboardingActivities({ db: platform.db });
    const env = new MockActivityEnvironment();
    const act = <T>(fn: () => Promise<T>): Promise<T> => env.run<[], T, () => Promise<T>>(fn);
    const vendor = await act(() => activities.assistantRegisterVendor(input, workflowId, `${workflowId}/suspend-test`));
    await act(() => activities.catalogCreateVendorCards(vendor.onboardingId,
      [{ lineNo: 1, shortDescription: 'Короткий опис сиру', longDescription: 'Довгий опис сиру з молока для перевірки компенсації.' }], []));
    const warehouse = await act(() => activities.warehousePlaceVendorBatches(vendor.onboardingId));
    // The goods arrived early and were received: stock now references the batch and must not vanish.
    await platform.db.query('INSERT INTO stock (batch_id, hub_id, qty_on_hand) SELECT id, origin_hub_id, 5 FROM batches WHERE code = $1', [warehouse.placements[0]!.batchCode]);

    assert.deepEqual(await act(() => activities.compensateVendorOnboarding(vendor.onboardingId, 'PriceBelowCost', 'test')), { mode: 'suspended' });
    assert.deepEqual(await act(() => activities.compensateVendorOnboarding(vendor.onboardingId, 'PriceBelowCost', 'again')), { mode: 'suspended' });
    const state = await platform.db.query<{ consignor: string; active: boolean; batch: string; run: string; compensation: string; reason: string }>(
      `SELECT c.status AS consignor, p.active, b.status AS batch, r.status AS run, r.compensation, r.failure_reason AS reason
       FROM onboarding_runs r JOIN consignors c ON c.id = r.consignor_id JOIN products p ON p.consignor_id = c.id JOIN batches b ON b.product_id = p.id
       WHERE r.id = $1`, [vendor.onboardingId]);
    assert.deepEqual(state.rows, [{ consignor: 'suspended', active: false, batch: 'created', run: 'failed', compensation: 'suspended', reason: 'test' }]);
  });

  test('LLM failing: every LLM step falls back to code, the crew completes and journals it', async () => {
    const input = vendorInput(platform, { language: 'en', products: [productLine({ allergens: ['milk', 'mustard'] })] });
    platform.sim.setFaults({ mode: 'error' });
    let result;
    try {
      result = await run(platform, input, 'llm-fallback');
    } finally {
      platform.sim.setFaults({ mode: 'none' });
    }
    assert.equal(result.status, 'active');
    assert.deepEqual(result.fallbacks, ['assistant', 'catalog', 'vendor_success']);
    assert.match(result.plan, /^Onboarding plan for /);
    assert.ok(result.recommendations.includes(result.firstSaleDate));
    const card = await platform.db.query<{ long_description: string }>('SELECT long_description FROM products WHERE id = $1', [result.cards[0]!.productId]);
    assert.match(card.rows[0]!.long_description, /Allergens: milk, mustard\./);
    const journal = await platform.db.query<{ step: string; n: number }>(
      `SELECT step, count(*)::int AS n FROM agent_runs WHERE workflow_id = $1 AND kind = 'llm' AND outcome = 'fallback' GROUP BY step ORDER BY step`,
      [`onboard-${input.requisites.edrpou}`]);
    assert.deepEqual(journal.rows, [{ step: 'assistant', n: 1 }, { step: 'catalog', n: 1 }, { step: 'vendor_success', n: 1 }]);
  });

  test('CLI: vendor onboard runs the example file and prints JSON; bad input exits 2', async () => {
    const cli = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
        env: { ...process.env, TEMPORAL_ADDRESS, DATABASE_URL, LLM_POOL: platform.llmPool, TEMPORAL_UI_URL: 'http://127.0.0.1:8233' },
        timeout: 120_000,
      }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
    const ok = await cli(['vendor', 'onboard', 'examples/vendor.json', '--priority', 'background', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout) as { workflowId: string; started: boolean; result: { status: string; cards: unknown[]; mergeProposals: { existingName: string }[] } };
    assert.equal(out.workflowId, 'onboard-24175388');
    assert.equal(out.started, true);
    assert.equal(out.result.status, 'active');
    assert.equal(out.result.cards.length, 3);
    assert.deepEqual(out.result.mergeProposals.map((m) => m.existingName), ['Козячий сир витриманий, 200 г']);
    const attrs = (await platform.client.workflow.getHandle(out.workflowId).describe()).typedSearchAttributes.getAll();
    assert.equal(attrs.find((p) => p.key.name === 'PriorityTier')?.value, 'background');

    const dir = await mkdtemp(path.join(tmpdir(), 'greenfood-vendor-'));
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...vendorInput(platform), requisites: { legalName: 'ТОВ «Х»', edrpou: '123', iban: 'UA1' } }));
    const rejected = await cli(['vendor', 'onboard', bad]);
    assert.equal(rejected.code, 2);
    assert.match(rejected.stderr, /requisites\.edrpou: EDRPOU must be 8 digits with a valid control digit/);
  });

  test('replay: every onboarding history of this file replays against the current workflow code', async () => {
    assert.ok(finishedRuns.length >= 4);
    const histories = await Promise.all(finishedRuns.map(async (r) => ({
      workflowId: r.workflowId,
      history: await platform.client.workflow.getHandle(r.workflowId, r.runId).fetchHistory(),
    })));
    const results = Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories);
    let replayed = 0;
    for await (const r of results) {
      assert.equal(r.error, undefined, `${r.workflowId}: ${String(r.error)}`);
      replayed++;
    }
    assert.equal(replayed, finishedRuns.length);

    // `RECORD_HISTORIES=1` keeps one history per ending for test/replay.test.ts, which replays
    // committed histories against later code (a change that would break running crews fails there).
    if (process.env.RECORD_HISTORIES === '1') {
      const dir = path.join(__dirname, 'histories', 'onboard-vendor');
      await mkdir(dir, { recursive: true });
      for (const r of finishedRuns.filter((x) => x.name)) {
        const args = ['workflow', 'show', '--workflow-id', r.workflowId, '--run-id', r.runId, '--address', TEMPORAL_ADDRESS, '--output', 'json'];
        const { stdout } = await promisify(execFile)(process.env.TEMPORAL_CLI ?? 'temporal', args, { maxBuffer: 64 * 1024 * 1024 });
        await writeFile(path.join(dir, `${r.name!}.json`), stdout);
      }
    }
  });
});

function pick(rule: { alertDaysBefore: number; markdownDaysBefore: number }) {
  return { alert: rule.alertDaysBefore, markdown: rule.markdownDaysBefore };
}
