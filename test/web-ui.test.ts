/**
 * The browser test: headless Chromium (Debian's package, driven by playwright-core; no browser is
 * ever downloaded) opens the test dev server's Temporal Web UI, filters workflows by search
 * attributes with the UI's own query box, opens a finished fulfill_order crew and checks that its
 * summary, details, current details and every agent step (with its summary) are shown.
 * Screenshots go to results/ (git-ignored) for a person to look at.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startFulfillOrder } from '../src/orders/client';
import type { FulfillOrderInput } from '../src/orders/contract';
import { anyBuyer, createTestProduct, orderInput, startPlatform, type Platform } from './harness';

const root = path.resolve(__dirname, '..');
const resultsDir = path.join(root, 'results');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Every agent step of the crew as the Web UI shows it: activity type • its summary. */
const STEPS = [
  ['assistantAcceptOrder', 'Assistant: validate and accept 2 line(s)'],
  ['sellerCheckAvailability', 'Seller: availability of 2 line(s)'],
  ['sellerPriceBasket', 'Seller: price 2 line(s) with buyer terms'],
  ['warehouseReserve', 'Warehouse: reserve 2 line(s)'],
  ['logisticsPlanShipments', 'Logistics: ship from 1 hub(s)'],
  ['financeRecordSale', 'Finance: sale, commission and consignor payables'],
  ['llmGenerate', 'Customer Care: confirmation message (LLM)'],
  ['careRecordConfirmation', 'Customer Care: store confirmation'],
] as const;

describe('Temporal Web UI shows a finished fulfill_order crew', () => {
  const uiUrl = process.env.TEST_TEMPORAL_UI_URL;
  let platform: Platform;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let input: FulfillOrderInput;
  let workflowId: string;

  before(async () => {
    assert.ok(uiUrl, 'TEST_TEMPORAL_UI_URL is set by scripts/test.sh');
    // Installs Debian's chromium when it is missing (as root); a no-op when it is there.
    execFileSync('bash', [path.join(root, 'scripts', 'ensure-chromium.sh')], { stdio: 'inherit' });
    platform = await startPlatform();
    const a = await createTestProduct(platform.db, { qty: 10 });
    const b = await createTestProduct(platform.db, { qty: 10 });
    input = orderInput(platform, { buyerCode: await anyBuyer(platform.db, 'vip'), priority: 'vip', items: [{ sku: a.sku, qty: 1 }, { sku: b.sku, qty: 2 }] });
    const { handle } = await startFulfillOrder(platform.client, input);
    workflowId = handle.workflowId;
    await handle.result();

    mkdirSync(resultsDir, { recursive: true });
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'greenfood-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1600, height: 1000 },
    });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await platform?.stop();
  });

  test('filtering by the Crew and OrderId search attributes finds exactly this crew', async () => {
    const query = `Crew="fulfill_order" AND OrderId="${input.orderId}"`;
    await page.goto(`${uiUrl}/namespaces/default/workflows`);
    // The UI's raw query box: what an operator types in the filter bar.
    await page.getByTestId('toggle-manual-query').click();
    const box = page.getByTestId('manual-search-input');
    await box.fill(query);
    await box.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('query')?.includes(input.orderId) ?? false);
    const row = page.getByRole('link', { name: workflowId, exact: true });
    // Visibility is eventually consistent: refresh until the crew is listed.
    for (let i = 0; i < 10 && !(await row.isVisible()); i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    await row.waitFor();
    assert.equal(await page.getByTestId('workflows-summary-configurable-table-row').count(), 1, 'only this crew matches');
    assert.match(await page.innerText('body'), /Completed/);
    await page.screenshot({ path: path.join(resultsDir, 'web-ui-workflows.png') });
    await row.click();
    await page.waitForURL(new RegExp(`/workflows/${workflowId}/`));
  });

  test('the crew page shows every agent step with its summary, in the timeline', async () => {
    await page.getByText(`${STEPS[0][0]} • ${STEPS[0][1]}`).waitFor();
    const text = await page.innerText('body');
    for (const [activity, summary] of STEPS) {
      assert.ok(text.includes(`${activity} • ${summary}`), `timeline shows "${activity} • ${summary}"`);
    }
    assert.ok(text.includes('fulfillOrder') && text.includes('greenfood-crews'), 'workflow type and task queue');
    await page.screenshot({ path: path.join(resultsDir, 'web-ui-timeline.png'), fullPage: true });
    // The steps alone (no payloads), e.g. for the README.
    const boxes = (await Promise.all(STEPS.map(([a, s]) => page.getByText(`${a} • ${s}`).boundingBox()))).filter((b) => b !== null);
    const scroll = Number(await page.evaluate('window.scrollY'));
    const top = Math.max(0, Math.min(...boxes.map((b) => b.y)) + scroll - 40);
    const bottom = Math.max(...boxes.map((b) => b.y + b.height)) + scroll + 40;
    await page.screenshot({ path: path.join(resultsDir, 'web-ui-steps.png'), fullPage: true, clip: { x: 200, y: top, width: 1400, height: bottom - top } });
  });

  test('User Metadata shows the static summary, details and the final current details', async () => {
    await page.locator('a[href$="/user-metadata"]').first().click();
    await page.waitForURL(/\/user-metadata/);
    // Summary and details are rendered as markdown, partly in sandboxed frames: read them all.
    const shown = async () => (await Promise.all(page.frames().map((f) => f.locator('body').innerText().catch(() => '')))).join('\n');
    const summary = `Order ${input.orderId} · 2 items · VIP`;
    let all = '';
    for (let i = 0; i < 30 && !(all.includes(summary) && all.includes('Confirmed:')); i++) {
      await page.waitForTimeout(200);
      all = await shown();
    }
    assert.ok(all.includes(summary), `summary "${summary}" is shown`);
    assert.ok(all.includes(`Buyer ${input.buyerCode} → Київ`), 'static details are shown');
    assert.match(all, /Confirmed: [\d\s.,]+ грн, GF[0-9A-F]{12}/, 'current details end with the confirmation');
    await page.screenshot({ path: path.join(resultsDir, 'web-ui-summary.png') });
  });
});
