import { startMarketingCampaign } from '../../campaigns/client';
import type { CampaignResult } from '../../campaigns/contract';
import { CHANNEL_LABEL, formatKpiTarget } from '../../campaigns/rules';
import { MarketingCampaignInputSchema, type ValidMarketingCampaignInput } from '../../campaigns/schema';
import type { Config } from '../../config';
import { createDb } from '../../db/pool';
import { formatUah } from '../../shared/money';
import { CliError, EXIT, startCrewFromFile, type CliArea, type CommonFlags } from '../shared';

function printResult(result: CampaignResult) {
  console.log(`Campaign ${result.campaignId}: ${result.status}; landing page greenfood.ua/${result.page.slug} — "${result.page.title}"`);
  for (const p of result.promoted) {
    console.log(`  promote ${p.sku} ${p.name}: ${formatUah(p.regularPriceKop)} → ${formatUah(p.promoPriceKop)} (−${p.discountBp / 100}%), ` +
      `target ${p.targetUnits} of ${p.expectedUnits} expected, ${p.sellableUnits} sellable${p.flags.length ? ` [${p.flags.join(', ')}]` : ''}`);
  }
  for (const p of result.dropped) console.log(`  dropped ${p.sku} ${p.name}: ${p.reason}`);
  for (const c of result.promoCodes) console.log(`  code ${c.code} (${CHANNEL_LABEL[c.channel]}): ${c.usageLimit} uses, ≤ ${c.maxUnitsPerUse} unit(s) each`);
  for (const c of result.content) console.log(`  ${CHANNEL_LABEL[c.channel]}: ${c.headline}`);
  for (const k of result.kpis) console.log(`  KPI ${k.code}: ${formatKpiTarget(k.target, k.unit)}`);
  if (result.fallbacks.length) console.log(`  LLM fallbacks used in: ${result.fallbacks.join(', ')}`);
}

function startCampaign(config: Config, file: string | undefined, flags: CommonFlags) {
  return startCrewFromFile<ValidMarketingCampaignInput, CampaignResult>({
    config, file, flags, command: 'campaign start', noun: 'campaign', schema: MarketingCampaignInputSchema,
    start: startMarketingCampaign,
    alreadyStarted: (input) => `Campaign ${input.campaignId} is running or done`,
    print: printResult,
  });
}

async function showCampaign(config: Config, campaignId: string | undefined, json: boolean) {
  if (!campaignId) throw new CliError('campaign show needs a campaign id', EXIT.badInput);
  const db = createDb(config.DATABASE_URL, 1, 'greenfood-cli');
  try {
    const q = <T extends object>(sql: string) => db.query<T>(sql, [campaignId])
      .then((r) => r.rows)
      .catch((err: Error) => { throw new CliError(`cannot query Postgres: ${err.message}`, EXIT.unreachable); });
    const [campaign] = await q<{ id: string; name: string; status: string; start_date: string; end_date: string; kpi_brief: string | null; failure_reason: string | null }>(
      `SELECT id, name, status, to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(end_date, 'YYYY-MM-DD') AS end_date, kpi_brief, failure_reason FROM campaigns WHERE id = $1`);
    if (!campaign) throw new CliError(`no campaign ${campaignId} in the database (refused campaigns write nothing; see its workflow)`, EXIT.badInput);
    const content = await q<{ channel: string; headline: string; body: string; promo_code: string; source: string }>(
      'SELECT channel, headline, body, promo_code, source FROM campaign_content WHERE campaign_id = $1 ORDER BY channel');
    const codes = await q<{ code: string; channel: string; usage_limit: number; times_used: number }>(
      'SELECT code, channel, usage_limit, times_used FROM promo_codes WHERE campaign_id = $1 ORDER BY channel');
    const kpis = await q<{ code: string; target: number; unit: 'people' | 'orders' | 'units' | 'kop' | 'bp'; measured_by: string }>(
      'SELECT code, target, unit, measured_by FROM campaign_kpis WHERE campaign_id = $1 ORDER BY code');
    if (json) return console.log(JSON.stringify({ campaign, content, codes, kpis }));
    console.log(`${campaign.id} «${campaign.name}» ${campaign.start_date}…${campaign.end_date}: ${campaign.status}${campaign.failure_reason ? ` (${campaign.failure_reason})` : ''}`);
    for (const c of codes) console.log(`  code ${c.code} (${c.channel}): used ${c.times_used}/${c.usage_limit}`);
    for (const k of kpis) console.log(`  KPI ${k.code}: ${formatKpiTarget(k.target, k.unit)} — ${k.measured_by}`);
    for (const c of content) console.log(`\n[${c.channel}, ${c.source}] ${c.headline}\n${c.body}`);
    if (campaign.kpi_brief) console.log(`\n${campaign.kpi_brief}`);
  } finally {
    await db.end();
  }
}

export const campaignArea: CliArea = {
  usage: [
    'campaign start <campaign.json> [--priority vip|regular|background] [--no-wait] [--json]',
    'campaign show <campaignId> [--json]',
  ],
  async run(command, args, flags, config) {
    if (command === 'start') return startCampaign(config, args[0], flags);
    if (command === 'show') return showCampaign(config, args[0], flags.json);
    throw new CliError(`unknown campaign command: ${command ?? '(none)'}`, EXIT.badInput);
  },
};
