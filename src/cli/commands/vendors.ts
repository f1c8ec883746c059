import type { Config } from '../../config';
import { createDb } from '../../db/pool';
import { startOnboardVendor } from '../../onboarding/client';
import { onboardingWorkflowId, type OnboardVendorResult } from '../../onboarding/contract';
import { isValidEdrpou, OnboardVendorInputSchema, type ValidOnboardVendorInput } from '../../onboarding/schema';
import { formatUah } from '../../shared/money';
import { CliError, EXIT, startCrewFromFile, uiLink, type CliArea, type CommonFlags } from '../shared';

function printResult(r: OnboardVendorResult) {
  console.log(`Consignor ${r.consignorCode} (id ${r.consignorId}): ${r.status}; ${r.pricing.plan} plan, commission ${(r.pricing.commissionBp / 100).toFixed(2)} %, payout ${r.pricing.paymentTermsDays} days after the monthly act`);
  console.log(`First sale expected by ${r.firstSaleDate}; first payout by ${r.firstPayoutDate}`);
  for (const c of r.cards) {
    const placed = r.placements.find((p) => p.lineNo === c.lineNo);
    console.log(`  card ${c.sku}  ${c.name}${placed ? `  → ${placed.hubCode}/${placed.zoneCode}, batch ${placed.batchCode} × ${placed.qty}, expires ${placed.expiryDate}, arrives ${placed.expectedArrival}` : ''}`);
  }
  for (const m of r.mergeProposals) {
    console.log(`  merge proposal #${m.proposalId}: "${m.name}" looks like ${m.existingSku} "${m.existingName}" (similarity ${m.similarity}); no second card created`);
  }
  for (const e of r.expiryRules) console.log(`  expiry rule ${e.category}: alert ${e.alertDaysBefore} d, markdown ${e.markdownDaysBefore} d before expiry`);
  for (const l of r.pricing.lines) console.log(`  price ${l.name}: ${formatUah(l.priceKop)}, commission ${formatUah(l.commissionKop)}, consignor nets ${formatUah(l.consignorNetKop)} (margin ${formatUah(l.consignorMarginKop)})`);
  for (const w of r.pricing.warnings) console.log(`  warning: ${w}`);
  console.log('Checklist:');
  for (const c of r.checklist) console.log(`  [${c.status === 'done' ? 'x' : ' '}] ${c.title} (${c.owner}${c.dueDate ? `, ${c.dueDate}` : ''})`);
  console.log('Success metrics:');
  for (const m of r.metrics) console.log(`  ${m.title}: ${m.target} ${m.unit} by ${m.dueDate}`);
  if (r.fallbacks.length) console.log(`LLM fallbacks used in: ${r.fallbacks.join(', ')}`);
  console.log(`\n${r.plan}\n\n${r.recommendations}`);
}

function onboard(config: Config, file: string | undefined, flags: CommonFlags) {
  return startCrewFromFile<ValidOnboardVendorInput, OnboardVendorResult>({
    config, file, flags, command: 'vendor onboard', noun: 'onboarding request', schema: OnboardVendorInputSchema,
    start: startOnboardVendor,
    alreadyStarted: (input) => `EDRPOU ${input.requisites.edrpou} is already onboarded or being onboarded`,
    print: printResult,
  });
}

async function status(config: Config, edrpou: string | undefined, json: boolean) {
  if (!edrpou || !isValidEdrpou(edrpou)) throw new CliError('vendor status needs a valid EDRPOU (8 digits)', EXIT.badInput);
  const db = createDb(config.DATABASE_URL, 1, 'greenfood-cli');
  try {
    const runs = await db
      .query<{ consignor_code: string; status: string; consignor_status: string | null; failure_type: string | null; failure_reason: string | null; compensation: string | null; started: string }>(
        `SELECT r.consignor_code, r.status, c.status AS consignor_status, r.failure_type, r.failure_reason, r.compensation,
                to_char(r.started_at, 'YYYY-MM-DD HH24:MI') AS started
         FROM onboarding_runs r LEFT JOIN consignors c ON c.id = r.consignor_id WHERE r.edrpou = $1 ORDER BY r.id`, [edrpou])
      .catch((err: Error) => { throw new CliError(`cannot query Postgres: ${err.message}`, EXIT.unreachable); });
    const workflowId = onboardingWorkflowId(edrpou);
    const out = { workflowId, webUi: uiLink(config, workflowId), runs: runs.rows };
    if (json) return console.log(JSON.stringify(out));
    if (!runs.rows.length) return console.log(`No onboarding for EDRPOU ${edrpou}`);
    for (const r of runs.rows) {
      console.log(`${r.started}  ${r.consignor_code}  run ${r.status}, consignor ${r.consignor_status ?? 'removed'}${r.failure_type ? `  [${r.failure_type}] ${r.failure_reason ?? ''} (${r.compensation ?? 'not compensated'})` : ''}`);
    }
    console.log(`Web UI: ${out.webUi}`);
  } finally {
    await db.end();
  }
}

export const vendorArea: CliArea = {
  usage: [
    'vendor onboard <vendor.json> [--priority vip|regular|background] [--no-wait] [--json]',
    'vendor status <edrpou> [--json]',
  ],
  async run(command, args, flags, config) {
    if (command === 'onboard') return onboard(config, args[0], flags);
    if (command === 'status') return status(config, args[0], flags.json);
    throw new CliError(`unknown vendor command: ${command ?? '(none)'}`, EXIT.badInput);
  },
};
