import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { decidePayouts, startMonthlySettlement, waitForProposals } from '../src/settlement/client';
import { settlementStatusQuery, type MonthlySettlementInput, type ScheduledSettlementResult } from '../src/settlement/contract';
import {
  backfillSettlementSchedule,
  describeSettlementSchedule,
  installSettlementSchedule,
  pauseSettlementSchedule,
  triggerSettlementSchedule,
  unpauseSettlementSchedule,
} from '../src/settlement/schedule';
import { applyBasisPoints, formatUah } from '../src/shared/money';
import { kyivPeriodOf, previousPeriod, scheduledFireTimeFor } from '../src/shared/settlement-math';
import type { monthlySettlement } from '../src/workflows/monthly-settlement';
import { DATABASE_URL, startPlatform, TEMPORAL_ADDRESS, uniqueId, workflowBundle, type Platform } from './harness';
import {
  adjustBalance,
  createConsignors,
  createProduct,
  logPriceChange,
  receiveStock,
  recordSale,
  reverseSale,
  seedSmallMonth,
  settlementCounts,
  statementsOf,
  writeOff,
  type TestConsignor,
} from './settlement-fixtures';

interface CliRun { code: number; stdout: string; stderr: string }

/** The real CLI in a child process against this file's Temporal server and database. */
function cli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, TEMPORAL_ADDRESS, DATABASE_URL, ...env },
      timeout: 120_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function runsOf(client: Client, workflowId: string): Promise<{ runId: string; status: string }[]> {
  const out: { runId: string; status: string }[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) out.push({ runId: w.runId, status: w.status.name });
  return out;
}

async function ledgerTotals(platform: Platform): Promise<{ txns: number; sum: number }> {
  const r = await platform.db.query<{ txns: number; sum: number }>(
    'SELECT (SELECT count(*)::int FROM ledger_transactions) AS txns, (SELECT coalesce(sum(amount_kop), 0)::bigint FROM ledger_postings) AS sum');
  return r.rows[0]!;
}

describe('monthly_settlement crew', () => {
  let platform: Platform;
  const input = (period: string, consignors: TestConsignor[], extra: Partial<MonthlySettlementInput> = {}): MonthlySettlementInput => ({
    period, consignors: consignors.map((c) => c.code), autoApproveMaxKop: 0, llmPool: platform.llmPool, requestedBy: 'test', ...extra,
  });

  before(async () => { platform = await startPlatform(); });
  after(async () => { await platform.stop(); });

  // ---- one seeded month: three consignors with sales, returns, a write-off and a price change ----
  const MARCH = '2024-03';
  let a: TestConsignor; let b: TestConsignor; let c: TestConsignor;

  test('a seeded month: every payout = sales − returns − commission − fees; acts, fees, analytics and audit stored', async () => {
    [a, b, c] = await createConsignors(platform.db, 3, [1500, 1000, 2000]) as [TestConsignor, TestConsignor, TestConsignor];
    const bp = new Map([a, b, c].map((x) => [x.id, x.commissionBp]));
    const commissionOf = (id: number) => bp.get(id)!;
    const a1 = await createProduct(platform.db, a, { priceKop: 12_000, storage: 'ambient' });
    const a2 = await createProduct(platform.db, a, { priceKop: 8_500, storage: 'chilled' });
    const b1 = await createProduct(platform.db, b, { priceKop: 20_000, storage: 'frozen' });
    const c1 = await createProduct(platform.db, c, { priceKop: 5_000, storage: 'ambient' });
    const a1Batch = await receiveStock(platform.db, a1, 100, '2024-02-20'); // before the month: 31 days
    await receiveStock(platform.db, a2, 40, '2024-03-11'); // 21 days
    const b1Batch = await receiveStock(platform.db, b1, 30, '2024-03-01'); // 31 days
    const c1Batch = await receiveStock(platform.db, c1, 200, '2024-03-16'); // 16 days
    await writeOff(platform.db, c1Batch, 60, '2024-03-21', 'damaged in transit'); // −60 units for 11 days
    await recordSale(platform.db, '2024-03-05', [{ product: a1, qty: 3, batch: a1Batch }, { product: b1, qty: 1, batch: b1Batch }], commissionOf);
    await recordSale(platform.db, '2024-03-10', [{ product: a2, qty: 4, discountKop: 1_700 }], commissionOf);
    await recordSale(platform.db, '2024-03-12', [{ product: c1, qty: 10 }], commissionOf);
    await reverseSale(platform.db, await recordSale(platform.db, '2024-03-13', [{ product: c1, qty: 2 }], commissionOf), '2024-03-14');
    await reverseSale(platform.db, await recordSale(platform.db, '2024-03-20', [{ product: b1, qty: 1 }], commissionOf), '2024-03-22');
    await recordSale(platform.db, '2024-04-02', [{ product: a1, qty: 5 }], commissionOf); // next month: not settled now
    await logPriceChange(platform.db, a1, 15_000, '2024-03-18', 'operator:test', 'new harvest');

    const { handle, started } = await startMonthlySettlement(platform.client, input(MARCH, [a, b, c]));
    assert.equal(started, true);
    const status = await waitForProposals(handle, { timeoutMs: 60_000 });
    assert.ok(status, 'the run waits for decisions');
    assert.equal(status.phase, 'awaiting_decisions');
    assert.deepEqual(status.pending.map((p) => p.consignorCode), [a.code, b.code, c.code]);
    const again = await startMonthlySettlement(platform.client, input(MARCH, [a, b, c]));
    assert.equal(again.started, false, 'never two runs of one period at once');

    // Expected figures, by hand from the scenario (commission per line, half-up; fees per settlement-math's published rates).
    const expected = {
      [a.code]: { sales: 3 * 12_000 + (4 * 8_500 - 1_700), returns: 0, commission: applyBasisPoints(36_000, 1500) + applyBasisPoints(32_300, 1500),
        storage: 100 * 31 * 2 + 40 * 21 * 4 },
      [b.code]: { sales: 40_000, returns: 20_000, commission: 2 * applyBasisPoints(20_000, 1000) - applyBasisPoints(20_000, 1000), storage: 30 * 31 * 6 },
      [c.code]: { sales: 60_000, returns: 10_000, commission: applyBasisPoints(50_000, 2000) + applyBasisPoints(10_000, 2000) - applyBasisPoints(10_000, 2000),
        storage: (200 * 16 - 60 * 11) * 2 },
    };
    const rows = await statementsOf(platform.db, MARCH, [a.code, b.code, c.code]);
    assert.equal(rows.size, 3);
    let sumPayout = 0;
    let sumIdentity = 0;
    for (const [code, e] of Object.entries(expected)) {
      const s = rows.get(code)!;
      const logistics = applyBasisPoints(e.sales - e.returns, 200);
      assert.deepEqual(
        { sales: s.sales_kop, returns: s.returns_kop, commission: s.commission_kop, storage: s.storage_fee_kop, logistics: s.logistics_fee_kop, opening: s.opening_kop },
        { sales: e.sales, returns: e.returns, commission: e.commission, storage: e.storage, logistics, opening: 0 }, code);
      assert.equal(s.fees_kop, logistics + e.storage);
      assert.equal(s.payout_kop, s.sales_kop - s.returns_kop - s.commission_kop - s.fees_kop, `${code}: payout = sales − returns − commission − fees`);
      assert.equal(s.closing_kop, s.payout_kop);
      assert.equal(s.payout_status, 'proposed');
      sumPayout += s.payout_kop;
      sumIdentity += e.sales - e.returns - e.commission - logistics - e.storage;
      assert.ok(s.act_markdown.includes(`АЗ-${MARCH}-${code}`) && s.act_markdown.includes(formatUah(s.payout_kop)), `${code}: act names itself and the payout`);
      assert.match(s.act_html, /^<!doctype html>/);
      assert.ok(s.act_html.includes('<table') && s.act_html.includes(formatUah(s.net_kop)));
      assert.ok(s.recommendations && s.recommendations.recommendations.length >= 1, `${code}: Vendor Success recommendations stored`);
    }
    assert.equal(rows.get(a.code)!.net_kop, 47_129, 'A by hand: 68 300 − 10 245 − 9 560 − 1 366');
    assert.equal(sumPayout, sumIdentity);
    assert.equal(status.totals.payoutKop, sumPayout);

    // Each consignor's fees are a balanced `fee` transaction debiting its payable.
    const fees = await platform.db.query<{ key: string; kind: string; payable: number; total: number }>(
      `SELECT t.idempotency_key AS key, t.kind, sum(p.amount_kop) FILTER (WHERE p.account = 'consignor_payable')::bigint AS payable, sum(p.amount_kop)::bigint AS total
       FROM ledger_transactions t JOIN ledger_postings p ON p.txn_id = t.id WHERE t.idempotency_key LIKE $1 GROUP BY t.id ORDER BY 1`, [`settlement-${MARCH}-%`]);
    assert.deepEqual(fees.rows.map((r) => [r.key, r.kind, r.payable, r.total]),
      [a, b, c].map((x) => [`settlement-${MARCH}-${x.code}:fees`, 'fee', rows.get(x.code)!.fees_kop, 0]));

    const run = await platform.db.query<{ plan: { summary: string }; analytics: { totalTurnoverKop: number; hubs: unknown[] }; compliance: { totalFindings: number; narrative: string } }>(
      'SELECT plan, analytics, compliance FROM settlement_runs WHERE period = $1', [MARCH]);
    const report = run.rows[0]!;
    assert.ok(report.plan.summary.includes(MARCH));
    assert.equal(report.analytics.totalTurnoverKop, Object.values(expected).reduce((s, e) => s + e.sales - e.returns, 0));
    assert.ok(report.analytics.hubs.length >= 1, 'turnover by hub from reservations');
    const findings = await platform.db.query<{ rule: string; severity: string; code: string }>(
      `SELECT f.rule, f.severity, c.code FROM compliance_findings f JOIN consignors c ON c.id = f.consignor_id WHERE f.period = $1 ORDER BY f.rule`, [MARCH]);
    assert.deepEqual(findings.rows, [
      { rule: 'atypical_returns', severity: 'critical', code: b.code },
      { rule: 'large_write_off', severity: 'warning', code: c.code },
      { rule: 'price_change', severity: 'warning', code: a.code },
    ]);
    assert.equal(report.compliance.totalFindings, 3);
    assert.ok(report.compliance.narrative.includes('3'));

    // Children: one per consignor, fairness key = consignor, the parent's (background) priority.
    const child = await platform.client.workflow.getHandle(`settlement-${MARCH}-${a.code}`).describe();
    assert.equal(child.status.name, 'COMPLETED');
    assert.equal(child.priority?.priorityKey, 5);
    assert.equal(child.priority?.fairnessKey, a.code);
    const steps = await platform.db.query<{ step: string }>(
      `SELECT DISTINCT step FROM agent_runs WHERE crew = 'monthly_settlement' AND (workflow_id = $1 OR workflow_id LIKE $1 || '-%') AND outcome = 'ok' ORDER BY step`, [`settlement-${MARCH}`]);
    assert.deepEqual(steps.rows.map((r) => r.step), ['analytics', 'assistant', 'compliance', 'finance', 'vendor_success']);
  });

  test('payouts become final only through the Update: the validator refuses bad decisions; approve and reject are recorded', async () => {
    const handle = platform.client.workflow.getHandle<typeof monthlySettlement>(`settlement-${MARCH}`);
    const before = await settlementCounts(platform.db, MARCH);
    await assert.rejects(decidePayouts(platform.client, MARCH, { action: 'reject', consignors: [b.code], actor: 'operator:olena' }), WorkflowUpdateFailedError);
    await assert.rejects(decidePayouts(platform.client, MARCH, { action: 'approve', consignors: ['NO-SUCH'], actor: 'operator:olena' }), WorkflowUpdateFailedError);
    await assert.rejects(decidePayouts(platform.client, MARCH, { action: 'approve', all: true, actor: ' ' }), WorkflowUpdateFailedError);
    assert.deepEqual(await settlementCounts(platform.db, MARCH), before, 'refused decisions write nothing');

    const rows = await statementsOf(platform.db, MARCH, [a.code, b.code, c.code]);
    const approvedA = await decidePayouts(platform.client, MARCH, { action: 'approve', consignors: [a.code], actor: 'operator:olena' });
    assert.equal(approvedA.pending, 2);
    assert.equal(approvedA.decided[0]!.status, 'approved');
    const payout = await platform.db.query<{ account: string; consignor_id: number | null; amount_kop: number }>(
      `SELECT p.account, p.consignor_id, p.amount_kop FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.txn_id
       WHERE t.idempotency_key = $1 AND t.kind = 'payout' ORDER BY p.amount_kop DESC`, [`settlement-${MARCH}-${a.code}:payout`]);
    assert.deepEqual(payout.rows, [
      { account: 'consignor_payable', consignor_id: a.id, amount_kop: rows.get(a.code)!.payout_kop },
      { account: 'cash', consignor_id: null, amount_kop: -rows.get(a.code)!.payout_kop },
    ]);

    const rejectedB = await decidePayouts(platform.client, MARCH, { action: 'reject', consignors: [b.code], reason: 'IBAN changed, awaiting new contract', actor: 'operator:olena' });
    assert.equal(rejectedB.decided[0]!.status, 'rejected');
    const mid = await handle.query(settlementStatusQuery);
    assert.deepEqual(mid.pending.map((p) => p.consignorCode), [c.code]);
    assert.equal(mid.payouts.approved, 1);
    assert.equal(mid.payouts.rejected, 1);

    await decidePayouts(platform.client, MARCH, { action: 'approve', all: true, actor: 'operator:taras' });
    const result = await handle.result();
    assert.equal(result.processed, 3);
    assert.deepEqual({ ...result.payouts }, { proposed: 0, approved: 2, autoApproved: 0, rejected: 1, expired: 0, nothingToPay: 0 });
    assert.equal(result.decisionsTimedOut, false);

    const decisions = await platform.db.query<{ code: string; decision: string; actor: string; reason: string | null }>(
      `SELECT c.code, d.decision, d.actor, d.reason FROM settlement_decisions d JOIN consignors c ON c.id = d.consignor_id WHERE d.period = $1 ORDER BY c.code`, [MARCH]);
    assert.deepEqual(decisions.rows, [
      { code: a.code, decision: 'approve', actor: 'operator:olena', reason: null },
      { code: b.code, decision: 'reject', actor: 'operator:olena', reason: 'IBAN changed, awaiting new contract' },
      { code: c.code, decision: 'approve', actor: 'operator:taras', reason: null },
    ]);
    // The ledger agrees with the statements: paid consignors are owed nothing more, the rejected one its whole balance.
    const owed = await platform.db.query<{ code: string; owed: number }>(
      `SELECT c.code, -sum(p.amount_kop)::bigint AS owed FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.txn_id JOIN consignors c ON c.id = p.consignor_id
       WHERE p.account = 'consignor_payable' AND c.code = ANY($2)
         AND (t.created_at < '2024-04-01 00:00 Europe/Kyiv' OR t.idempotency_key LIKE 'settlement-' || $1 || '-%')
       GROUP BY c.code ORDER BY c.code`, [MARCH, [a.code, b.code, c.code]]);
    const after = await statementsOf(platform.db, MARCH, [a.code, b.code, c.code]);
    assert.deepEqual(owed.rows.map((r) => [r.code, r.owed]), [[a.code, 0], [b.code, rows.get(b.code)!.closing_kop], [c.code, 0]]);
    assert.deepEqual([a, b, c].map((x) => after.get(x.code)!.carried_over_kop), [0, rows.get(b.code)!.closing_kop, 0]);
  });

  test('a second run of the same period writes no new statements, payouts, decisions or ledger entries', async () => {
    const countsBefore = await settlementCounts(platform.db, MARCH);
    const ledgerBefore = await ledgerTotals(platform);
    const { handle, started } = await startMonthlySettlement(platform.client, input(MARCH, [a, b, c]));
    assert.equal(started, true, 'a finished period may be re-run on purpose');
    const result = await handle.result();
    assert.equal(result.processed, 3);
    assert.equal(result.reused, 3);
    assert.deepEqual(await settlementCounts(platform.db, MARCH), countsBefore);
    assert.deepEqual(await ledgerTotals(platform), ledgerBefore);
    const childRuns = await waitFor('both child runs in visibility', async () => {
      const runs = await runsOf(platform.client, `settlement-${MARCH}-${a.code}`);
      return runs.length >= 2 ? runs : undefined;
    });
    assert.equal(childRuns.length, 2, 'the consignor was re-executed, and paid nothing twice');
  });

  test('balances chain month to month: opening = carried over, corrections count, a month waits for the previous decision', async () => {
    const [d, e] = await createConsignors(platform.db, 2, 1500) as [TestConsignor, TestConsignor];
    const d1 = await createProduct(platform.db, d, { priceKop: 3_000 });
    const e1 = await createProduct(platform.db, e, { priceKop: 10_000 });
    await receiveStock(platform.db, d1, 10, '2024-05-01');
    const april = await recordSale(platform.db, '2024-04-20', [{ product: e1, qty: 1 }], () => 1500); // never settled: opens May
    await recordSale(platform.db, '2024-05-15', [{ product: e1, qty: 2 }], () => 1500);
    await adjustBalance(platform.db, e, 1_000, '2024-05-20', 'accountant:iryna', 'compensation for a lost parcel');

    const may = await startMonthlySettlement(platform.client, input('2024-05', [d, e]));
    await waitForProposals(may.handle, { timeoutMs: 60_000 });
    let rows = await statementsOf(platform.db, '2024-05', [d.code, e.code]);
    const sd = rows.get(d.code)!;
    const se = rows.get(e.code)!;
    assert.deepEqual([sd.storage_fee_kop, sd.net_kop, sd.closing_kop, sd.payout_kop, sd.payout_status, sd.carried_over_kop], [620, -620, -620, 0, 'nothing_to_pay', -620]);
    const aprilPayable = april.byConsignor.get(e.id)!.goodsKop - april.byConsignor.get(e.id)!.commissionKop;
    assert.equal(se.opening_kop, aprilPayable);
    assert.equal(se.adjustments_kop, 1_000);
    assert.equal(se.net_kop, se.sales_kop - se.returns_kop - se.commission_kop - se.fees_kop + 1_000);
    assert.equal(se.payout_kop, se.opening_kop + se.net_kop);
    assert.equal(se.payout_status, 'proposed');
    const audit = await platform.db.query<{ rule: string; severity: string }>(
      'SELECT rule, severity FROM compliance_findings WHERE period = $1 AND consignor_id = $2', ['2024-05', e.id]);
    assert.deepEqual(audit.rows, [{ rule: 'balance_correction', severity: 'warning' }]);

    // June cannot settle E while May's payout is undecided; D (nothing to pay in May) goes ahead.
    const june = await startMonthlySettlement(platform.client, input('2024-06', [d, e]));
    const blocked = await june.handle.result();
    assert.equal(blocked.processed, 1);
    assert.equal(blocked.failedCount, 1);
    assert.equal(blocked.failed[0]!.consignorCode, e.code);
    assert.equal(blocked.failed[0]!.type, 'SettlementBlocked');
    rows = await statementsOf(platform.db, '2024-06', [d.code, e.code]);
    assert.deepEqual([rows.get(d.code)!.opening_kop, rows.get(d.code)!.closing_kop, rows.get(d.code)!.payout_status], [-620, -620 - 10 * 30 * 2, 'nothing_to_pay']);
    assert.equal(rows.has(e.code), false);

    await decidePayouts(platform.client, '2024-05', { action: 'approve', consignors: [e.code], actor: 'operator:olena' });
    await may.handle.result();
    const rerun = await startMonthlySettlement(platform.client, input('2024-06', [d, e]));
    const junePaid = await rerun.handle.result();
    assert.equal(junePaid.failedCount, 0);
    assert.equal(junePaid.reused, 1);
    rows = await statementsOf(platform.db, '2024-06', [d.code, e.code]);
    assert.deepEqual([rows.get(e.code)!.opening_kop, rows.get(e.code)!.payout_status], [0, 'nothing_to_pay'], 'paid in May, nothing carried into June');
  });

  test('the schedule: right spec, idempotent install, pause; trigger and backfill settle the right months', async () => {
    const first = await installSettlementSchedule(platform.client, { autoApproveMaxKop: 123_400, llmPool: platform.llmPool });
    const second = await installSettlementSchedule(platform.client, { autoApproveMaxKop: 123_400, llmPool: platform.llmPool });
    assert.equal(first.scheduleId, 'greenfood-monthly-settlement');
    assert.deepEqual([first.created, second.created], [true, false]);
    let view = await describeSettlementSchedule(platform.client);
    assert.deepEqual(view.calendars.map(({ dayOfMonth, hour, minute }) => ({ dayOfMonth, hour, minute })), [{ dayOfMonth: [1], hour: [2], minute: [0] }]);
    assert.equal(view.timezone, 'Europe/Kyiv');
    assert.equal(view.overlap, 'BUFFER_ONE');
    assert.equal(view.catchupWindowMs, 35 * 24 * 3_600_000);
    assert.equal(view.workflowType, 'scheduledMonthlySettlement');
    assert.equal((view.args[0] as { autoApproveMaxKop: number }).autoApproveMaxKop, 123_400);
    const next = new Date(view.nextActionTimes[0]!);
    assert.equal(next.toISOString(), scheduledFireTimeFor(previousPeriod(kyivPeriodOf(next))).toISOString(), 'next run: the 1st at 02:00 Kyiv');
    await pauseSettlementSchedule(platform.client, 'year-end audit');
    await installSettlementSchedule(platform.client, { autoApproveMaxKop: 123_400, llmPool: platform.llmPool });
    view = await describeSettlementSchedule(platform.client);
    assert.equal(view.paused, true, 're-install keeps a paused schedule paused');
    await unpauseSettlementSchedule(platform.client, 'audit done');
    assert.equal((await describeSettlementSchedule(platform.client)).paused, false);

    // A schedule of the same spec and action, scoped to a consignor of this test, to run it for real.
    const [f] = await createConsignors(platform.db, 1) as [TestConsignor];
    const product = await createProduct(platform.db, f, { priceKop: 7_000 });
    const lastMonth = previousPeriod(kyivPeriodOf(new Date()));
    const monthBefore = previousPeriod(lastMonth);
    await recordSale(platform.db, `${monthBefore}-10`, [{ product, qty: 2 }], () => f.commissionBp);
    await recordSale(platform.db, `${lastMonth}-10`, [{ product, qty: 1 }], () => f.commissionBp);
    const scheduleId = uniqueId('settlement-test');
    await installSettlementSchedule(platform.client, { scheduleId, consignors: [f.code], autoApproveMaxKop: 10_000_000, llmPool: platform.llmPool });
    const launched = async (n: number) => waitFor(`schedule action #${n}`, async () => (await describeSettlementSchedule(platform.client, scheduleId)).recentActions[n - 1]);

    await backfillSettlementSchedule(platform.client, monthBefore, monthBefore, scheduleId);
    const backfilled = await launched(1);
    assert.equal(backfilled.scheduledAt, scheduledFireTimeFor(monthBefore).toISOString());
    const backfillResult = await platform.client.workflow.getHandle<() => Promise<ScheduledSettlementResult>>(backfilled.workflowId).result();
    assert.equal(backfillResult.period, monthBefore, 'the period comes from the scheduled time, not the start time');
    assert.equal(backfillResult.outcome, 'settled');
    assert.equal(backfillResult.result?.payouts.autoApproved, 1);

    await triggerSettlementSchedule(platform.client, scheduleId);
    const triggered = await launched(2);
    const triggerResult = await platform.client.workflow.getHandle<() => Promise<ScheduledSettlementResult>>(triggered.workflowId).result();
    assert.equal(triggerResult.period, lastMonth);
    assert.equal(triggerResult.result?.processed, 1);
    const rows = await statementsOf(platform.db, lastMonth, [f.code]);
    assert.equal(rows.get(f.code)!.sales_kop, 7_000);
    assert.equal(rows.get(f.code)!.opening_kop, 0, 'opens with what the month before carried over');
    await platform.client.schedule.getHandle(scheduleId).delete();
  });

  test('the CLI: run waits for proposals, decisions are validated and recorded, status and schedule show', async () => {
    const [g, h] = await createConsignors(platform.db, 2) as [TestConsignor, TestConsignor];
    for (const x of [g, h]) await recordSale(platform.db, '2024-07-08', [{ product: await createProduct(platform.db, x, { priceKop: 9_900 }), qty: 2 }], () => x.commissionBp);
    const env = { LLM_POOL: platform.llmPool, SETTLEMENT_AUTO_APPROVE_MAX_KOP: '0' };

    const run = await cli(['settlement', 'run', '2024-07', '--consignors', `${g.code},${h.code}`, '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const started = JSON.parse(run.stdout) as { workflowId: string; started: boolean; status: { phase: string; pending: { consignorCode: string }[] } };
    assert.equal(started.workflowId, 'settlement-2024-07');
    assert.equal(started.started, true);
    assert.equal(started.status.phase, 'awaiting_decisions');
    assert.deepEqual(started.status.pending.map((p) => p.consignorCode), [g.code, h.code]);

    const noReason = await cli(['settlement', 'reject', '2024-07', '--consignors', g.code], env);
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /reason/);
    const rejected = await cli(['settlement', 'reject', '2024-07', `--consignors=${g.code}`, '--reason', 'contract not signed', '--by', 'operator:cli', '--json'], env);
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.deepEqual((JSON.parse(rejected.stdout) as { decided: { status: string }[] }).decided.map((d) => d.status), ['rejected']);
    const approved = await cli(['settlement', 'approve', '2024-07', '--all', '--by', 'operator:cli', '--json'], env);
    assert.equal(approved.code, 0, approved.stderr);
    assert.deepEqual(JSON.parse(approved.stdout), { decided: [{ consignorCode: h.code, status: 'approved', payoutKop: 19_800 - applyBasisPoints(19_800, h.commissionBp) - applyBasisPoints(19_800, 200),
      ledgerTxnId: (JSON.parse(approved.stdout) as { decided: { ledgerTxnId: number }[] }).decided[0]!.ledgerTxnId }], pending: 0 });
    await platform.client.workflow.getHandle('settlement-2024-07').result();

    const status = await cli(['settlement', 'status', '2024-07', '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    const stored = JSON.parse(status.stdout) as { live: boolean; run: { status: string }; statements: { code: string; status: string; actor: string; reason: string | null }[] };
    assert.equal(stored.live, false);
    assert.equal(stored.run.status, 'completed');
    assert.deepEqual(stored.statements.map((x) => [x.code, x.status, x.actor, x.reason]),
      [[g.code, 'rejected', 'operator:cli', 'contract not signed'], [h.code, 'approved', 'operator:cli', null]]);

    const show = await cli(['settlement', 'schedule', 'show', '--json'], env);
    assert.equal(show.code, 0, show.stderr);
    assert.equal((JSON.parse(show.stdout) as { overlap: string }).overlap, 'BUFFER_ONE');
    const future = await cli(['settlement', 'run', '2099-01'], env);
    assert.equal(future.code, 2);
    assert.match(future.stderr, /not over yet/);
  });

  test('with the LLM failing, every agent step falls back to its template and the month still settles', async () => {
    const [k] = await createConsignors(platform.db, 1) as [TestConsignor];
    await recordSale(platform.db, '2024-08-08', [{ product: await createProduct(platform.db, k, { priceKop: 4_000 }), qty: 3 }], () => k.commissionBp);
    platform.sim.setFaults({ mode: 'malformed' });
    let result;
    try {
      result = await (await startMonthlySettlement(platform.client, input('2024-08', [k], { autoApproveMaxKop: 1_000_000 }))).handle.result();
    } finally {
      platform.sim.setFaults({ mode: 'none' });
    }
    assert.equal(result.payouts.autoApproved, 1);
    const s = (await statementsOf(platform.db, '2024-08', [k.code])).get(k.code)!;
    assert.ok(s.recommendations && s.recommendations.summary.includes(k.code), 'template recommendations name the consignor');
    const run = await platform.db.query<{ plan: { usedFallback: boolean }; analytics: { usedFallback: boolean; narrative: string }; compliance: { usedFallback: boolean; narrative: string } }>(
      'SELECT plan, analytics, compliance FROM settlement_runs WHERE period = $1', ['2024-08']);
    const r = run.rows[0]!;
    assert.deepEqual([r.plan.usedFallback, r.analytics.usedFallback, r.compliance.usedFallback], [true, true, true]);
    assert.ok(r.analytics.narrative.includes(formatUah(12_000)));
    const journal = await platform.db.query<{ step: string }>(
      `SELECT step FROM agent_runs WHERE crew = 'monthly_settlement' AND outcome = 'fallback' AND (workflow_id = $1 OR workflow_id LIKE $1 || '-%') ORDER BY step`, ['settlement-2024-08']);
    assert.deepEqual(journal.rows.map((x) => x.step), ['analytics', 'assistant', 'compliance', 'vendor_success']);
  });

  test('payouts nobody decides expire at the deadline: nothing is paid, the balance carries over', async () => {
    const [m] = await createConsignors(platform.db, 1) as [TestConsignor];
    await recordSale(platform.db, '2024-09-09', [{ product: await createProduct(platform.db, m, { priceKop: 6_000 }), qty: 1 }], () => m.commissionBp);
    const ledgerBefore = await ledgerTotals(platform);
    const result = await (await startMonthlySettlement(platform.client, input('2024-09', [m], { decisionTimeoutHours: 2 / 3600 }))).handle.result();
    assert.equal(result.decisionsTimedOut, true);
    assert.equal(result.payouts.expired, 1);
    const s = (await statementsOf(platform.db, '2024-09', [m.code])).get(m.code)!;
    assert.deepEqual([s.payout_status, s.carried_over_kop], ['expired', s.closing_kop]);
    const decision = await platform.db.query<{ decision: string; actor: string }>('SELECT decision, actor FROM settlement_decisions WHERE period = $1 AND consignor_id = $2', ['2024-09', m.id]);
    assert.deepEqual(decision.rows, [{ decision: 'expire', actor: 'system' }]);
    assert.equal((await ledgerTotals(platform)).txns, ledgerBefore.txns + 1, 'only the fee transaction, no payout');
  });

  test('fan-out over 110 consignors: bounded children, continue-as-new, every payout adds up', async () => {
    const JANUARY = '2024-01';
    const { consignors, goodsKop } = await seedSmallMonth(platform.db, 110, '2024-01-15');
    const { handle } = await startMonthlySettlement(platform.client, input(JANUARY, consignors, { parallelism: 20, batchSize: 40, autoApproveMaxKop: 10_000_000 }));
    const result = await handle.result();
    assert.equal(result.runs, 3);
    assert.equal(result.processed, 110);
    assert.equal(result.failedCount, 0);
    assert.equal(result.payouts.autoApproved, 110);
    const rows = await statementsOf(platform.db, JANUARY, consignors.map((x) => x.code));
    assert.equal(rows.size, 110);
    let total = 0;
    for (const x of consignors) {
      const s = rows.get(x.code)!;
      const goods = goodsKop.get(x.id)!;
      const expected = goods - applyBasisPoints(goods, x.commissionBp) - applyBasisPoints(goods, 200);
      assert.equal(s.payout_kop, expected, x.code);
      assert.equal(s.payout_kop, s.sales_kop - s.returns_kop - s.commission_kop - s.fees_kop);
      total += expected;
    }
    assert.equal(result.totals.payoutKop, total);
    const runs = await waitFor('three runs in visibility', async () => {
      const r = await runsOf(platform.client, `settlement-${JANUARY}`);
      return r.length >= 3 ? r : undefined;
    });
    assert.deepEqual(runs.map((r) => r.status).sort(), ['COMPLETED', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW']);
    const firstRun = runs.find((r) => r.status === 'CONTINUED_AS_NEW')!;
    const history = await platform.client.workflow.getHandle(`settlement-${JANUARY}`, firstRun.runId).fetchHistory();
    const events = history.events ?? [];
    assert.ok(events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes, 'the run ends with ContinueAsNew');
    const children = events.filter((ev) => ev.startChildWorkflowExecutionInitiatedEventAttributes).length;
    assert.equal(children, 40, 'one batch of children per run');
  });

  test('replay: every settlement workflow history replays with the current code', async () => {
    const histories: { workflowId: string; history: unknown }[] = [];
    const types = ['monthlySettlement', 'scheduledMonthlySettlement', 'settleConsignor'];
    for (const type of types) {
      let n = 0;
      for await (const w of platform.client.workflow.list({ query: `WorkflowType = "${type}"` })) {
        if (type === 'settleConsignor' && n >= 15) break;
        n++;
        histories.push({ workflowId: w.workflowId, history: await platform.client.workflow.getHandle(w.workflowId, w.runId).fetchHistory() });
      }
      assert.ok(n > 0, `histories of ${type}`);
    }
    const results = Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories);
    let replayed = 0;
    for await (const r of results) {
      assert.equal(r.error, undefined, `${r.workflowId}: ${String(r.error)}`);
      replayed++;
    }
    assert.equal(replayed, histories.length);
  });
});
