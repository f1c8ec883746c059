import { z } from 'zod';
import type { TaskTable } from '../tasks';

/** Words that accuse rather than describe; an audit narrative must stay neutral. */
const ACCUSING = /(fraud|theft|steal|stole|guilty|criminal|шахрай|крадіж|винуват|злочин)/iu;

export const settlementTasks: Pick<TaskTable, 'settlement_plan' | 'settlement_analytics' | 'settlement_compliance' | 'settlement_recommendations'> = {
  settlement_plan: {
    schema: () => z.object({
      summary: z.string().min(20).max(2000),
      dataToCollect: z.array(z.string().min(3).max(200)).min(1).max(8),
    }).strict(),
    prompt: (input) =>
      [
        `Plan the monthly settlement of GREENFOOD consignors for ${input.period} (${input.scope}).`,
        `Facts counted by code: ${input.consignors} consignors, ${input.saleTransactions} sale transactions, ` +
          `${input.reversalTransactions} reversals, ${input.stockMovements} stock movements, ${input.priceChanges} price changes, ` +
          `${input.balanceAdjustments} manual balance corrections.`,
        'The crew will run these steps:',
        ...input.steps.map((s, i) => `${i + 1}. ${s.agent}: ${s.task}`),
        `Summarise the plan for the accountant in plain language (name the period ${input.period}) and list the data to collect.`,
      ].join('\n'),
    check: (output, input) => (output.summary.includes(input.period) ? undefined : `summary does not name the period ${input.period}`),
  },

  settlement_analytics: {
    schema: () => z.object({
      headline: z.string().min(5).max(200),
      narrative: z.string().min(40).max(3000),
      actions: z.array(z.object({ action: z.string().min(5).max(300), risk: z.string().min(3).max(300) }).strict()).min(1).max(5),
    }).strict(),
    prompt: (input) =>
      [
        `Turnover report of GREENFOOD for ${input.period} (compared with ${input.previousPeriod}).`,
        `Total turnover: ${input.totalTurnover} (previous month ${input.previousTurnover}, change ${input.change}).`,
        'Top consignors:',
        ...input.topConsignors.map((c) => `- ${c.code} ${c.name}: ${c.turnover} (${c.change})`),
        'Top products:',
        ...input.topProducts.map((p) => `- ${p.sku} ${p.name}: ${p.turnover}`),
        'By hub:',
        ...input.hubs.map((h) => `- ${h.code} ${h.city}: ${h.turnover}`),
        input.anomalies.length ? 'Anomalies found by rules:' : 'No anomalies found by rules.',
        ...input.anomalies.map((a) => `- ${a.subject}: ${a.kind}, ${a.detail}`),
        `Data sources: ${input.sources.join(', ')}.`,
        'Write a headline, a short narrative that quotes the total turnover exactly, and actions with their risks. Do not take decisions.',
      ].join('\n'),
    check: (output, input) => (output.narrative.includes(input.totalTurnover) ? undefined : `narrative does not quote the total turnover ${input.totalTurnover}`),
  },

  settlement_compliance: {
    schema: () => z.object({
      narrative: z.string().min(20).max(3000),
      recommendations: z.array(z.string().min(5).max(300)).min(1).max(5),
    }).strict(),
    prompt: (input) =>
      [
        `Audit of the GREENFOOD event log for ${input.period}: ${input.totalFindings} findings ` +
          `(${input.counts.critical} critical, ${input.counts.warning} warnings, ${input.counts.info} for information).`,
        ...input.findings.map((f) => `- [${f.severity}] ${f.rule} — ${f.subject}: ${f.detail}`),
        'Describe the findings neutrally, as observations to verify, state the number of findings, and recommend checks. ' +
          'Do not block anything and do not assign blame.',
      ].join('\n'),
    check: (output, input) => {
      if (ACCUSING.test(output.narrative) || output.recommendations.some((r) => ACCUSING.test(r))) return 'narrative is not neutral';
      return output.narrative.includes(String(input.totalFindings)) ? undefined : `narrative does not state the number of findings (${input.totalFindings})`;
    },
  },

  settlement_recommendations: {
    schema: (input) => {
      const keys = input.facts.map((f) => f.key);
      const [first, ...rest] = keys;
      if (first === undefined) throw new Error('settlement_recommendations needs at least one fact');
      return z.object({
        summary: z.string().min(20).max(2000),
        recommendations: z.array(z.object({ basedOn: z.enum([first, ...rest]), action: z.string().min(10).max(400) }).strict()).min(1).max(5),
      }).strict();
    },
    prompt: (input) =>
      [
        `Consignor ${input.consignor.code} "${input.consignor.name}", settlement for ${input.period}. Its figures:`,
        ...input.facts.map((f) => `- ${f.key} (${f.label}): ${f.value}`),
        'Give concrete steps for next month, each based on one of these figures (name its key in basedOn), ' +
          'and a short summary that quotes at least one figure exactly. No generic motivation.',
      ].join('\n'),
    check: (output, input) =>
      input.facts.some((f) => output.summary.includes(f.value)) ? undefined : 'summary quotes none of the consignor\'s figures',
  },
};
