import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ScheduleOverlapPolicy, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startBatchWatch, startQualityIncident } from '../src/quality/client';
import { BATCH_WATCH_SCHEDULE_ID, batchWatchWorkflowId, type ExpiryCandidate, type QualityIncidentInput } from '../src/quality/contract';
import { bandFor, bestTransfer, dateInZone, decideExpiryAction, expiryBands, incidentActions, incidentSeverity, markdownBpFor } from '../src/quality/rules';
import { installBatchWatchSchedule } from '../src/quality/schedule';
import type { batchWatchDaily } from '../src/workflows/batch-watch';
import { activityTypes, addDays, assertReplays, dbToday, placeDemand, recordHistories, setCost, shipFromBatch, type RunRef } from './campaign-quality-fixtures';
import { createTestProduct, DATABASE_URL, startPlatform, TEMPORAL_ADDRESS, uniqueId, type Platform } from './harness';

describe('pure Batch & Quality rules', () => {
  test('expiry bands per category and storage; markdown deepens as expiry nears', () => {
    assert.deepEqual(expiryBands('bakery', 'ambient'), [2, 1]);
    assert.deepEqual(expiryBands('honey', 'ambient'), [30, 14, 7, 3]);
    assert.deepEqual(expiryBands('cheese', 'chilled'), [7, 3, 1]);
    assert.equal(bandFor(31, [30, 14, 7, 3]), undefined);
    assert.equal(bandFor(8, [30, 14, 7, 3]), 14);
    assert.equal(bandFor(7, [30, 14, 7, 3]), 7);
    assert.equal(bandFor(0, [30, 14, 7, 3]), 3);
    assert.deepEqual([0, 1, 2, 3, 5, 7, 10, 14, 20].map(markdownBpFor), [5000, 5000, 3000, 3000, 2000, 2000, 1000, 1000, 500]);
  });

  test('transfer only with time left and a hub that sells more; otherwise markdown, else inspect', () => {
    const c: ExpiryCandidate = {
      batchId: 1, batchCode: 'B1', productId: 1, sku: 'S', productName: 'P', category: 'tea', storage: 'ambient', kind: 'expiry_soon', daysLeft: 10, band: 14,
      expiryDate: '2027-01-01', onHand: 20, free: 18, mainHubId: 1, mainHubCode: 'KYI', mainHubFree: 15,
    };
    const hubs = [{ id: 1, code: 'KYI', storages: ['ambient'] }, { id: 2, code: 'LVI', storages: ['ambient'] }, { id: 3, code: 'ODE', storages: ['chilled'] }];
    assert.deepEqual(bestTransfer(c, new Map([[1, 2], [2, 5], [3, 50]]), hubs), { batchId: 1, toHubId: 2, toHubCode: 'LVI', demandTo: 5, demandFrom: 2, qty: 15 });
    assert.equal(bestTransfer(c, new Map([[1, 5], [2, 5]]), hubs), undefined, 'not more demand');
    assert.equal(bestTransfer(c, new Map([[2, 2]]), hubs), undefined, 'too little demand to move goods for');
    assert.equal(bestTransfer({ ...c, daysLeft: 5 }, new Map([[2, 50]]), hubs), undefined, 'too close to expiry to move');
    const markdown = { batchId: 1, markdownBp: 1000, markdownPriceKop: 9000, regularPriceKop: 10000 };
    assert.equal(decideExpiryAction(c, '2026-12-01', undefined, markdown).proposal, 'markdown');
    assert.equal(decideExpiryAction(c, '2026-12-01', undefined, { ...markdown, markdownBp: 0 }).proposal, 'inspect');
    assert.equal(decideExpiryAction({ ...c, kind: 'expired', daysLeft: -1, band: null }, '2026-12-01').proposal, 'write_off');
  });

  test('incident severity never below its category floor; actions by severity and kind', () => {
    assert.equal(incidentSeverity('allergen', 'low'), 'critical');
    assert.equal(incidentSeverity('packaging'), 'low');
    assert.equal(incidentSeverity('packaging', 'high'), 'high');
    assert.deepEqual(incidentActions('complaint', 'low', false), ['log_for_trend', 'contact_buyer']);
    assert.deepEqual(incidentActions('incident', 'critical', true), ['withdraw_batch', 'notify_consignor', 'lab_test']);
  });

  test('the business day is Kyiv\'s', () => {
    assert.equal(dateInZone(new Date('2026-12-04T21:59:00Z'), 'Europe/Kyiv'), '2026-12-04');
    assert.equal(dateInZone(new Date('2026-12-04T22:01:00Z'), 'Europe/Kyiv'), '2026-12-05');
    assert.equal(dateInZone(new Date('2026-07-01T21:30:00Z'), 'Europe/Kyiv'), '2026-07-02', 'summer time, UTC+3');
  });
});

interface Counts { history: number; alerts: number }

describe('Batch & Quality watch', () => {
  let platform: Platform;
  let today: string;
  let yesterday: string;
  const runs: Record<string, RunRef> = {};
  before(async () => {
    platform = await startPlatform();
    today = await dbToday(platform.db);
    yesterday = addDays(today, -1);
  });
  after(async () => {
    await platform.client.schedule.getHandle(BATCH_WATCH_SCHEDULE_ID).delete().catch(() => undefined);
    await platform.stop();
  });

  async function counts(): Promise<Counts> {
    const r = await platform.db.query<Counts>(
      'SELECT (SELECT count(*)::int FROM batch_status_history) AS history, (SELECT count(*)::int FROM quality_alerts) AS alerts');
    return r.rows[0]!;
  }
  const statusOf = async (batchId: number) =>
    (await platform.db.query<{ status: string }>('SELECT status FROM batches WHERE id = $1', [batchId])).rows[0]!.status;
  const alertsOf = async (batchId: number) => (await platform.db.query<{
    watch_date: string; kind: string; band_days: number | null; severity: string; qty: number; proposal: string; markdown_bp: number | null;
    markdown_price_kop: number | null; to_hub: string | null; note: string; note_source: string;
  }>(
    `SELECT to_char(a.watch_date, 'YYYY-MM-DD') AS watch_date, a.kind, a.band_days, a.severity, a.qty, a.proposal, a.markdown_bp, a.markdown_price_kop,
            h.code AS to_hub, a.note, a.note_source
     FROM quality_alerts a LEFT JOIN hubs h ON h.id = a.to_hub_id WHERE a.batch_id = $1 ORDER BY a.watch_date, a.id`, [batchId])).rows;

  type BatchKey = 'expired' | 'soldOut' | 'partly' | 'untouched' | 'markdown' | 'escalate' | 'thin' | 'noMargin' | 'transfer' | 'chilled';
  // Filled by the first test; the later ones work on the same batches.
  const batches = {} as Record<BatchKey, { sku: string; batchId: number; productId: number }>;

  test('daily watches move batches forward, raise expiry alerts with code-decided proposals, and escalate by band', async () => {
    batches.expired = await createTestProduct(platform.db, { qty: 12, daysToExpiry: -2 });
    batches.soldOut = await createTestProduct(platform.db, { qty: 5 });
    await shipFromBatch(platform.db, batches.soldOut.batchId, 5);
    batches.partly = await createTestProduct(platform.db, { qty: 10 });
    await shipFromBatch(platform.db, batches.partly.batchId, 3);
    batches.untouched = await createTestProduct(platform.db, { qty: 10, hubCode: 'KYI' });
    batches.markdown = await createTestProduct(platform.db, { qty: 8, priceKop: 10_000, daysToExpiry: 2 });
    batches.escalate = await createTestProduct(platform.db, { qty: 9, priceKop: 10_000, daysToExpiry: 7 });
    batches.thin = await createTestProduct(platform.db, { qty: 6, priceKop: 10_000, daysToExpiry: 1 });
    await setCost(platform.db, batches.thin.sku, 9_000);
    batches.noMargin = await createTestProduct(platform.db, { qty: 4, priceKop: 10_000, daysToExpiry: 2 });
    await setCost(platform.db, batches.noMargin.sku, 10_000);
    batches.transfer = await createTestProduct(platform.db, { qty: 20, category: 'tea', hubCode: 'KYI', daysToExpiry: 10 });
    batches.chilled = await createTestProduct(platform.db, { qty: 7, category: 'cheese', storage: 'chilled', daysToExpiry: 10 });

    // Lviv ordered more tea over the last weeks than any other hub's city: that is where a tea batch should go.
    const demand = await platform.db.query<{ city: string; units: number }>(
      `SELECT lower(o.delivery_address->>'city') AS city, sum(l.qty)::int AS units FROM order_lines l JOIN orders o ON o.id = l.order_id
       JOIN products p ON p.id = l.product_id JOIN categories c ON c.id = p.category_id WHERE c.code = 'tea' GROUP BY 1`);
    const tea = await platform.db.query<{ id: number }>(`SELECT p.id FROM products p JOIN categories c ON c.id = p.category_id WHERE c.code = 'tea' ORDER BY p.id LIMIT 1`);
    await placeDemand(platform.db, { productId: tea.rows[0]!.id, city: 'Львів', qty: Math.max(0, ...demand.rows.map((d) => d.units)) + 5, daysAgo: 2 });

    const first = await (await startBatchWatch(platform.client, { date: yesterday, llmPool: platform.llmPool })).result();
    runs.yesterday = { workflowId: batchWatchWorkflowId(yesterday), runId: (await platform.client.workflow.getHandle(batchWatchWorkflowId(yesterday)).describe()).runId };
    assert.equal(first.date, yesterday);
    assert.ok(first.transitions.expired >= 1 && first.transitions.sold_out >= 1 && first.transitions.partly_sold >= 1);
    assert.ok(first.alerts.raised >= 6 && first.notes.llm > 0);

    assert.equal(await statusOf(batches.expired.batchId), 'expired');
    assert.equal(await statusOf(batches.soldOut.batchId), 'sold_out');
    assert.equal(await statusOf(batches.partly.batchId), 'partly_sold');
    assert.equal(await statusOf(batches.untouched.batchId), 'in_stock');
    const history = await platform.db.query<{ batch_id: number; from_status: string; to_status: string; watch_date: string }>(
      `SELECT batch_id, from_status, to_status, to_char(watch_date, 'YYYY-MM-DD') AS watch_date FROM batch_status_history WHERE batch_id = ANY($1) ORDER BY batch_id`,
      [[batches.expired.batchId, batches.soldOut.batchId, batches.partly.batchId, batches.untouched.batchId]]);
    assert.deepEqual(history.rows.map((h) => [h.batch_id, h.from_status, h.to_status, h.watch_date]), [
      [batches.expired.batchId, 'in_stock', 'expired', yesterday],
      [batches.soldOut.batchId, 'in_stock', 'sold_out', yesterday],
      [batches.partly.batchId, 'in_stock', 'partly_sold', yesterday],
    ]);
    await assert.rejects(platform.db.query('UPDATE batch_status_history SET reason = $1 WHERE batch_id = $2', ['x', batches.expired.batchId]), /append-only/);

    const pick = (a: Awaited<ReturnType<typeof alertsOf>>[number]) => [a.watch_date, a.kind, a.band_days, a.severity, a.qty, a.proposal, a.markdown_bp, a.markdown_price_kop, a.to_hub];
    assert.deepEqual((await alertsOf(batches.expired.batchId)).map(pick), [[yesterday, 'expired', null, 'high', 12, 'write_off', null, null, null]]);
    assert.deepEqual((await alertsOf(batches.markdown.batchId)).map(pick), [[yesterday, 'expiry_soon', 3, 'high', 8, 'markdown', 3000, 7000, null]]);
    assert.deepEqual((await alertsOf(batches.thin.batchId)).map(pick), [[yesterday, 'expiry_soon', 3, 'high', 6, 'markdown', 1000, 9000, null]], 'capped at cost');
    assert.deepEqual((await alertsOf(batches.noMargin.batchId)).map(pick), [[yesterday, 'expiry_soon', 3, 'high', 4, 'inspect', null, null, null]], 'no margin left to mark down');
    assert.deepEqual((await alertsOf(batches.transfer.batchId)).map(pick), [[yesterday, 'expiry_soon', 14, 'low', 20, 'transfer', null, null, 'LVI']]);
    assert.deepEqual((await alertsOf(batches.escalate.batchId)).map(pick), [[yesterday, 'expiry_soon', 14, 'low', 9, 'markdown', 1000, 9000, null]]);
    assert.deepEqual(await alertsOf(batches.chilled.batchId), [], 'a chilled batch 11 days out is in no band yet');
    assert.deepEqual(await alertsOf(batches.soldOut.batchId), []);
    for (const a of await alertsOf(batches.markdown.batchId)) {
      assert.equal(a.note_source, 'llm');
      assert.ok(a.note.includes(`B-${batches.markdown.sku}`), 'the note names its batch');
    }

    // Today: the escalating batch enters the 7-day band (deeper markdown); nothing else of ours is raised again.
    const second = await (await startBatchWatch(platform.client, { date: today, llmPool: platform.llmPool })).result();
    runs.today = { workflowId: batchWatchWorkflowId(today), runId: (await platform.client.workflow.getHandle(batchWatchWorkflowId(today)).describe()).runId };
    assert.ok(second.alerts.raised >= 1);
    assert.deepEqual((await alertsOf(batches.escalate.batchId)).map(pick), [
      [yesterday, 'expiry_soon', 14, 'low', 9, 'markdown', 1000, 9000, null],
      [today, 'expiry_soon', 7, 'medium', 9, 'markdown', 2000, 8000, null],
    ]);
    for (const key of ['expired', 'markdown', 'thin', 'noMargin', 'transfer'] as const) {
      assert.equal((await alertsOf(batches[key].batchId)).length, 1, `${key}: still one alert`);
    }

    const steps = await platform.db.query<{ step: string; agent: string }>(
      `SELECT DISTINCT step, agent FROM agent_runs WHERE workflow_id = $1 AND outcome = 'ok' AND kind = 'tool' ORDER BY step`, [runs.yesterday.workflowId]);
    assert.deepEqual(steps.rows.map((r) => `${r.step}/${r.agent}`), [
      'expiry_scan/batch_quality', 'markdowns/finance', 'record_alerts/batch_quality', 'statuses/batch_quality', 'transfers/warehouse']);
  });

  test('re-running the same date changes nothing twice and asks the LLM nothing', async () => {
    const before = await counts();
    const handle = await startBatchWatch(platform.client, { date: today, llmPool: platform.llmPool });
    const again = await handle.result();
    runs.rerun = { workflowId: handle.workflowId, runId: (await handle.describe()).runId };
    assert.deepEqual(again.transitions, { partly_sold: 0, sold_out: 0, expired: 0 });
    assert.equal(again.alerts.raised, 0);
    assert.deepEqual(await counts(), before);
    const types = activityTypes(await handle.fetchHistory());
    assert.deepEqual(types, ['qualityAdvanceBatchStatuses', 'qualityScanExpiry']);
    assert.equal((await platform.client.workflow.count(`WorkflowId = "${batchWatchWorkflowId(today)}"`)).count, 2, 'a finished day may run again');
  });

  test('quality incidents and complaints: typed severity, actions, a batch alert for serious ones; bad input writes nothing', async () => {
    const base = { reportedBy: 'Склад KYI, комірник', llmPool: platform.llmPool };
    const critical: QualityIncidentInput = {
      ...base, incidentId: uniqueId('inc'), kind: 'incident', category: 'foreign_object',
      description: 'У банці знайдено фрагмент скла під час вибіркової перевірки партії.', batchCode: `B-${batches.untouched.sku}`, severity: 'medium',
    };
    const started = await startQualityIncident(platform.client, critical);
    const result = await started.handle.result();
    runs.incidentCritical = { workflowId: started.handle.workflowId };
    assert.equal(result.severity, 'critical', 'a foreign object is never medium');
    assert.deepEqual(result.actions, ['withdraw_batch', 'notify_consignor', 'lab_test']);
    assert.equal(result.alert?.proposal, 'withdraw');
    assert.equal(result.alert?.recorded, true);
    const alerts = (await alertsOf(batches.untouched.batchId)).map((a) => [a.watch_date, a.kind, a.severity, a.proposal, a.qty]);
    assert.deepEqual(alerts, [[today, 'quality_incident', 'critical', 'withdraw', 10]]);
    const row = await platform.db.query<{ severity: string; batch_id: number; workflow_id: string }>('SELECT severity, batch_id, workflow_id FROM quality_incidents WHERE id = $1', [critical.incidentId]);
    assert.deepEqual(row.rows, [{ severity: 'critical', batch_id: batches.untouched.batchId, workflow_id: `quality-incident-${critical.incidentId}` }]);
    assert.equal((await startQualityIncident(platform.client, critical)).started, false, 'an incident id is used once');

    const complaint: QualityIncidentInput = {
      ...base, incidentId: uniqueId('inc'), kind: 'complaint', category: 'taste', description: 'Покупцю здався надто солодким смак, просить порадити інший.',
      sku: batches.partly.sku, buyerCode: 'B001',
    };
    const low = await (await startQualityIncident(platform.client, complaint)).handle.result();
    assert.deepEqual([low.severity, low.actions, low.alert], ['low', ['log_for_trend', 'contact_buyer'], undefined]);
    const buyer = await platform.db.query<{ code: string }>('SELECT b.code FROM quality_incidents i JOIN buyers b ON b.id = i.buyer_id WHERE i.id = $1', [complaint.incidentId]);
    assert.equal(buyer.rows[0]?.code, 'B001');

    const unknown = { ...critical, incidentId: uniqueId('inc'), batchCode: 'NO-SUCH-BATCH' };
    const { handle } = await startQualityIncident(platform.client, unknown);
    runs.incidentFailed = { workflowId: handle.workflowId };
    const err = await handle.result().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'UnknownBatch');
    assert.equal(err.cause.nonRetryable, true);
    assert.equal((await platform.db.query('SELECT 1 FROM quality_incidents WHERE id = $1', [unknown.incidentId])).rowCount, 0);
  });

  test('the daily Schedule: 06:00 Europe/Kyiv, overlap SKIP, idempotent install; a scheduled run watches the day it was scheduled for', async () => {
    const first = await installBatchWatchSchedule(platform.client, { llmPool: platform.llmPool });
    const second = await installBatchWatchSchedule(platform.client, { llmPool: platform.llmPool });
    assert.deepEqual([first.created, second.created], [true, false]);
    const d = second.description;
    assert.equal(d.spec.timezone, 'Europe/Kyiv');
    assert.deepEqual(d.spec.calendars?.map((c) => [c.hour, c.minute]), [[[{ start: 6, end: 6, step: 1 }], [{ start: 0, end: 0, step: 1 }]]]);
    assert.equal(d.policies.overlap, ScheduleOverlapPolicy.SKIP);
    assert.equal(d.action.type, 'startWorkflow');
    assert.equal(d.action.type === 'startWorkflow' ? d.action.workflowType : '', 'batchWatchDaily');
    const next = d.info.nextActionTimes[0]!;
    assert.match(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Kyiv', hour: '2-digit', minute: '2-digit' }).format(next), /^06:00$/);

    // Backfill yesterday's 06:00 (Kyiv): the run takes its day from the scheduled time, not from "now".
    const handle = platform.client.schedule.getHandle(BATCH_WATCH_SCHEDULE_ID);
    await handle.backfill({ start: new Date(`${yesterday}T00:00:00Z`), end: new Date(`${yesterday}T12:00:00Z`), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
    let daily: string | undefined;
    for (let i = 0; i < 100 && !daily; i++) {
      for await (const w of platform.client.workflow.list({ query: `WorkflowType = "batchWatchDaily"` })) daily = w.workflowId;
      if (!daily) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(daily, 'the backfill started a scheduled run');
    const result = await platform.client.workflow.getHandle<typeof batchWatchDaily>(daily).result();
    runs.daily = { workflowId: daily };
    assert.deepEqual([result.date, result.workflowId, result.alreadyRunning], [yesterday, batchWatchWorkflowId(yesterday), false]);
    assert.equal(result.result?.alerts.raised, 0, 'yesterday was already watched: nothing new');
  });

  test('CLI: quality watch run --date, quality alerts --json, quality incident from a JSON file', async () => {
    const cli = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
        env: { ...process.env, TEMPORAL_ADDRESS, DATABASE_URL, TEMPORAL_UI_URL: 'http://127.0.0.1:8233', LLM_POOL: platform.llmPool }, timeout: 60_000,
      }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
    const watch = await cli(['quality', 'watch', 'run', '--date', today, '--json']);
    assert.equal(watch.code, 0, watch.stderr);
    const out = JSON.parse(watch.stdout) as { workflowId: string; result: { alerts: { raised: number } } };
    assert.deepEqual([out.workflowId, out.result.alerts.raised], [batchWatchWorkflowId(today), 0]);

    const alerts = await cli(['quality', 'alerts', `--date=${yesterday}`, '--limit', '500', '--json']);
    assert.equal(alerts.code, 0, alerts.stderr);
    const rows = JSON.parse(alerts.stdout) as { batch: string; proposal: string; watch_date: string }[];
    assert.ok(rows.length > 0 && rows.every((r) => r.watch_date === yesterday));
    assert.equal(rows.find((r) => r.batch === `B-${batches.transfer.sku}`)?.proposal, 'transfer');

    const example = JSON.parse(await readFile(path.join(__dirname, '..', 'examples', 'incident.json'), 'utf8')) as QualityIncidentInput;
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'greenfood-incident-')), 'incident.json');
    await writeFile(file, JSON.stringify({ ...example, incidentId: uniqueId('inc') }));
    const incident = await cli(['quality', 'incident', file, '--json']);
    assert.equal(incident.code, 0, incident.stderr);
    const recorded = JSON.parse(incident.stdout) as { result: { severity: string; alert?: { proposal: string } } };
    assert.deepEqual([recorded.result.severity, recorded.result.alert?.proposal], ['high', 'inspect'], 'spoilage is at least high and gets the batch inspected');

    const bad = await cli(['quality', 'watch', 'run', '--date', '2026-02-30']);
    assert.equal(bad.code, 2);
  });

  test('every watch, scheduled and incident workflow run here replays deterministically', async () => {
    assert.deepEqual(Object.keys(runs).sort(), ['daily', 'incidentCritical', 'incidentFailed', 'rerun', 'today', 'yesterday']);
    await assertReplays(platform.client, Object.values(runs));
    // Yesterday's first watch (the whole seeded catalogue, ~0.5 MB) is replayed above but not kept.
    const { yesterday: _first, ...kept } = runs;
    await recordHistories('batch-watch', kept);
  });
});
