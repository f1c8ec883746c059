import {
  ActivityFailure,
  ApplicationFailure,
  executeChild,
  ParentClosePolicy,
  setCurrentDetails,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { QualityAlertNotesInput } from '../llm/contract';
import {
  BATCH_WATCH_CREW,
  BATCH_WATCH_TIMEZONE,
  batchWatchWorkflowId,
  QUALITY_INCIDENT_CREW,
  ScheduledStartTime,
  type AlertDraft,
  type AlertToRecord,
  type BatchWatchDailyInput,
  type BatchWatchDailyResult,
  type BatchWatchInput,
  type BatchWatchResult,
  type QualityIncidentInput,
  type QualityIncidentResult,
} from '../quality/contract';
import { alertPromptLine, chunk, dateInZone, decideExpiryAction, describeProposal, fallbackAlertNote, incidentAlertProposal, isCalendarDate } from '../quality/rules';
import { FailureType } from '../shared/errors';
import { priorityKeyOf } from '../shared/priority';
import { SearchAttr } from '../shared/temporal';
import { agentActivities, generateOrFallback, LlmCaller, type AgentProxy } from './proxies';

/** Fails the workflow with the activity's own failure type (e.g. UnknownBatch), not a generic activity failure. */
function typedFailure(err: unknown, what: string): unknown {
  const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
  if (!cause) return err;
  return ApplicationFailure.create({ type: cause.type ?? undefined, message: `${what}: ${cause.message}`, nonRetryable: true, cause });
}

/** Alerts per LLM call: few enough that a note per alert stays short and the prompt small. */
const NOTES_PER_CALL = 4;

/** The LLM writes each alert's note (one call per few alerts); code's template where it cannot. */
async function writeNotes(llm: LlmCaller, agents: AgentProxy, crew: string, drafts: AlertDraft[], watchDate: string): Promise<AlertToRecord[]> {
  const groups = await Promise.all(chunk(drafts, NOTES_PER_CALL).map(async (group, g) => {
    const input: QualityAlertNotesInput = { watchDate, alerts: group.map((a, i) => ({ batchCode: a.batchCode, line: alertPromptLine(a, i) })) };
    const outcome = await generateOrFallback(llm, agents, {
      task: 'quality_alert_notes', agent: 'batch_quality', crew, step: 'alert_notes', input,
      summary: `Batch & Quality: notes for ${group.map((a) => a.batchCode).join(', ')} (LLM${g > 0 ? `, part ${g + 1}` : ''})`,
      fallback: () => ({ notes: group.map(fallbackAlertNote) }),
    });
    return group.map((a, i): AlertToRecord => ({ ...a, note: outcome.output.notes[i] ?? fallbackAlertNote(a), noteSource: outcome.usedFallback ? 'fallback' : 'llm' }));
  }));
  return groups.flat();
}

/**
 * The daily Batch & Quality watch of one day (`batch-watch-<date>`): batch statuses move forward,
 * batches entering an expiry band (or expiring) get an alert with a code-decided proposal —
 * transfer to a hub that sells more, markdown capped at cost, write-off — and an LLM-written note.
 * Every write is keyed by batch and day, so re-running a day changes nothing twice.
 */
export async function batchWatch(input: BatchWatchInput): Promise<BatchWatchResult> {
  if (!isCalendarDate(input.date)) {
    throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `invalid watch date ${input.date}: use YYYY-MM-DD`, nonRetryable: true });
  }
  try {
    return await watchSteps(input);
  } catch (err) {
    throw typedFailure(err, `watch of ${input.date} failed`);
  }
}

async function watchSteps(input: BatchWatchInput): Promise<BatchWatchResult> {
  const { workflowId } = workflowInfo();
  const date = input.date;
  const priorityKey = priorityKeyOf('background');
  const agents = agentActivities(priorityKey);
  const llm = new LlmCaller({ priorityKey, tier: 'background', pinnedPool: input.llmPool });

  setCurrentDetails(`**statuses**: moving batches forward for ${date}`);
  const transitions = await agents.qualityAdvanceBatchStatuses.executeWithOptions({ summary: `Batch & Quality: batch statuses on ${date}` }, [date, workflowId]);
  const counts = { partly_sold: 0, sold_out: 0, expired: 0 };
  for (const t of transitions) counts[t.to] += 1;

  setCurrentDetails(`**expiry**: scanning expiry bands (${transitions.length} status change(s))`);
  const candidates = await agents.qualityScanExpiry.executeWithOptions({ summary: `Batch & Quality: expiry scan for ${date}` }, [date]);
  const result: BatchWatchResult = { date, transitions: counts, alerts: { raised: 0, markdown: 0, transfer: 0, write_off: 0, inspect: 0 }, notes: { llm: 0, fallback: 0 } };
  if (candidates.length === 0) {
    setCurrentDetails(`Done: ${transitions.length} status change(s), no new expiry alerts`);
    return result;
  }

  setCurrentDetails(`**proposals**: ${candidates.length} batch(es) near or past expiry`);
  const soon = candidates.filter((c) => c.kind === 'expiry_soon');
  const [transfers, markdowns] = await Promise.all([
    agents.warehouseProposeTransfers.executeWithOptions({ summary: `Warehouse: hubs with more demand for ${soon.length} batch(es)` }, [date, soon]),
    agents.financeProposeMarkdowns.executeWithOptions({ summary: `Finance: markdowns for ${soon.length} batch(es), never below cost` },
      [soon.map((c) => ({ batchId: c.batchId, productId: c.productId, daysLeft: c.daysLeft }))]),
  ]);
  const drafts = candidates.map((c) => decideExpiryAction(c, date, transfers.find((t) => t.batchId === c.batchId), markdowns.find((m) => m.batchId === c.batchId)));

  setCurrentDetails(`**notes**: writing ${drafts.length} alert note(s)`);
  const alerts = await writeNotes(llm, agents, BATCH_WATCH_CREW, drafts, date);
  const recorded = await agents.qualityRecordAlerts.executeWithOptions({ summary: `Batch & Quality: record ${alerts.length} alert(s)` }, [BATCH_WATCH_CREW, workflowId, alerts]);

  result.alerts.raised = recorded.inserted;
  for (const a of alerts) {
    if (a.proposal === 'markdown' || a.proposal === 'transfer' || a.proposal === 'write_off' || a.proposal === 'inspect') result.alerts[a.proposal] += 1;
    result.notes[a.noteSource] += 1;
  }
  setCurrentDetails(`Done: ${transitions.length} status change(s), ${recorded.inserted} alert(s): ` +
    `${result.alerts.markdown} markdown, ${result.alerts.transfer} transfer, ${result.alerts.write_off} write-off, ${result.alerts.inspect} inspect`);
  return result;
}

/**
 * What the daily Schedule starts: it takes the day from the scheduled time (in Kyiv, so a catch-up
 * run watches the day it was meant for) and runs that day's watch as `batch-watch-<date>`; a
 * manual run of the same day that is still going is joined rather than duplicated.
 */
export async function batchWatchDaily(input: BatchWatchDailyInput = {}): Promise<BatchWatchDailyResult> {
  const info = workflowInfo();
  const scheduledAt = info.typedSearchAttributes.get(ScheduledStartTime) ?? info.startTime;
  const date = dateInZone(scheduledAt, BATCH_WATCH_TIMEZONE);
  const workflowId = batchWatchWorkflowId(date);
  setCurrentDetails(`Watching ${date} as ${workflowId}`);
  try {
    const result = await executeChild(batchWatch, {
      workflowId,
      args: [{ date, ...(input.llmPool ? { llmPool: input.llmPool } : {}) }],
      // A finished day may run again (it changes nothing twice); a running one is not started twice.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      priority: { priorityKey: priorityKeyOf('background') },
      staticSummary: `Batch & Quality watch ${date} (scheduled)`,
      typedSearchAttributes: [
        { key: SearchAttr.Crew, value: BATCH_WATCH_CREW },
        { key: SearchAttr.PriorityTier, value: 'background' },
      ],
    });
    return { date, workflowId, alreadyRunning: false, result };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { date, workflowId, alreadyRunning: true };
    throw err;
  }
}

/**
 * A quality incident or complaint (`quality-incident-<id>`): Batch & Quality records it with a
 * code-decided severity and actions; a high or critical one on a known batch also raises a batch
 * alert (inspect, or withdraw from sale) with a note for the hub team.
 */
export async function recordQualityIncident(input: QualityIncidentInput): Promise<QualityIncidentResult> {
  try {
    return await recordIncidentSteps(input);
  } catch (err) {
    throw typedFailure(err, `incident ${input.incidentId} was not recorded`);
  }
}

async function recordIncidentSteps(input: QualityIncidentInput): Promise<QualityIncidentResult> {
  const { workflowId } = workflowInfo();
  const priorityKey = priorityKeyOf('regular');
  const agents = agentActivities(priorityKey);
  const llm = new LlmCaller({ priorityKey, tier: 'regular', pinnedPool: input.llmPool });

  setCurrentDetails(`**record**: ${input.kind} ${input.incidentId}`);
  const incident = await agents.qualityRecordIncident.executeWithOptions({ summary: `Batch & Quality: record ${input.kind} (${input.category})` }, [input, workflowId]);
  const proposal = incidentAlertProposal(incident.severity);
  if (!incident.batch || !proposal) {
    setCurrentDetails(`Recorded: ${incident.severity}; ${incident.actions.join(', ')}`);
    return incident;
  }
  const draft: AlertDraft = {
    batchId: incident.batch.batchId, batchCode: incident.batch.batchCode, productName: incident.productName, hubCode: incident.batch.hubCode,
    watchDate: incident.occurredOn, kind: 'quality_incident', band: null, severity: incident.severity, daysLeft: incident.batch.daysLeft,
    qty: incident.batch.onHand, proposal, incidentId: incident.incidentId,
    detail: `${incident.category}, ${input.description.replace(/\s+/g, ' ').slice(0, 160)}`,
  };
  setCurrentDetails(`**alert**: ${describeProposal(draft)}`);
  const [alert] = await writeNotes(llm, agents, QUALITY_INCIDENT_CREW, [draft], incident.occurredOn);
  const recorded = await agents.qualityRecordAlerts.executeWithOptions({ summary: `Batch & Quality: ${proposal} alert for ${draft.batchCode}` }, [QUALITY_INCIDENT_CREW, workflowId, [alert!]]);
  setCurrentDetails(`Recorded: ${incident.severity}; alert ${proposal} on ${draft.batchCode}`);
  return { ...incident, alert: { proposal, note: alert!.note, recorded: recorded.inserted > 0 } };
}
