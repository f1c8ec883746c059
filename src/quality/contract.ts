import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BATCH_WATCH_WORKFLOW = 'batchWatch';
/** What the daily Schedule starts: it derives the day from the scheduled time and runs `batchWatch` for it. */
export const BATCH_WATCH_DAILY_WORKFLOW = 'batchWatchDaily';
export const QUALITY_INCIDENT_WORKFLOW = 'recordQualityIncident';

export const BATCH_WATCH_CREW = 'batch_watch';
export const QUALITY_INCIDENT_CREW = 'quality_incident';

export const BATCH_WATCH_SCHEDULE_ID = 'batch-watch-daily';
/** GREENFOOD's business day: the watch for "today" is today in Kyiv. */
export const BATCH_WATCH_TIMEZONE = 'Europe/Kyiv';

export function batchWatchWorkflowId(date: string): string {
  return `batch-watch-${date}`;
}

export function qualityIncidentWorkflowId(incidentId: string): string {
  return `quality-incident-${incidentId}`;
}

/** Set by the Schedule on every workflow it starts. */
export const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export interface BatchWatchInput {
  /** The day to watch, YYYY-MM-DD. */
  date: string;
  llmPool?: string;
}

export interface BatchWatchDailyInput {
  llmPool?: string;
}

export type BatchStatus = 'created' | 'in_transit' | 'in_stock' | 'partly_sold' | 'sold_out' | 'expired' | 'returned' | 'disposed';
export type AlertKind = 'expiry_soon' | 'expired' | 'quality_incident';
export type AlertProposal = 'markdown' | 'transfer' | 'write_off' | 'inspect' | 'withdraw';
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface StatusTransition {
  batchCode: string;
  from: BatchStatus;
  to: 'partly_sold' | 'sold_out' | 'expired';
}

/** A batch near or past expiry that has no alert yet for its band (or, once expired, at all). */
export interface ExpiryCandidate {
  batchId: number;
  batchCode: string;
  productId: number;
  sku: string;
  productName: string;
  category: string;
  storage: 'ambient' | 'chilled' | 'frozen';
  kind: 'expiry_soon' | 'expired';
  daysLeft: number;
  /** The expiry band (days ahead) the batch is in; null once expired. */
  band: number | null;
  expiryDate: string;
  onHand: number;
  free: number;
  mainHubId: number;
  mainHubCode: string;
  /** Free units at the hub holding most of the batch: what a transfer would move. */
  mainHubFree: number;
}

export interface TransferOption {
  batchId: number;
  toHubId: number;
  toHubCode: string;
  /** Units of the category ordered for delivery to each hub's city over the last 28 days. */
  demandTo: number;
  demandFrom: number;
  qty: number;
}

export interface MarkdownOption {
  batchId: number;
  markdownBp: number;
  markdownPriceKop: number;
  regularPriceKop: number;
}

export interface AlertDraft {
  batchId: number;
  batchCode: string;
  productName: string;
  hubCode: string;
  watchDate: string;
  kind: AlertKind;
  band: number | null;
  severity: Severity;
  daysLeft: number | null;
  qty: number;
  proposal: AlertProposal;
  markdownBp?: number;
  markdownPriceKop?: number;
  regularPriceKop?: number;
  fromHubId?: number;
  toHubId?: number;
  toHubCode?: string;
  incidentId?: string;
  /** For incidents: what was reported, so the note can say it. */
  detail?: string;
}

export interface AlertToRecord extends AlertDraft {
  note: string;
  noteSource: 'llm' | 'fallback';
}

export interface BatchWatchResult {
  date: string;
  transitions: { partly_sold: number; sold_out: number; expired: number };
  alerts: { raised: number; markdown: number; transfer: number; write_off: number; inspect: number };
  notes: { llm: number; fallback: number };
}

export interface BatchWatchDailyResult {
  date: string;
  workflowId: string;
  /** True when the watch of that day was already running (a manual run); nothing new started. */
  alreadyRunning: boolean;
  result?: BatchWatchResult;
}

export const INCIDENT_KINDS = ['incident', 'complaint'] as const;
export const INCIDENT_CATEGORIES = ['spoilage', 'foreign_object', 'allergen', 'temperature', 'labeling', 'packaging', 'taste', 'other'] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

export interface QualityIncidentInput {
  incidentId: string;
  kind: (typeof INCIDENT_KINDS)[number];
  category: IncidentCategory;
  description: string;
  /** The batch concerned; or at least the product (sku). */
  batchCode?: string;
  sku?: string;
  orderId?: string;
  buyerCode?: string;
  reportedBy: string;
  /** The reporter's assessment; code raises it to the category's minimum. */
  severity?: Severity;
  occurredOn?: string;
  llmPool?: string;
}

export interface RecordedIncident {
  incidentId: string;
  kind: QualityIncidentInput['kind'];
  category: IncidentCategory;
  severity: Severity;
  actions: string[];
  occurredOn: string;
  productName: string;
  batch?: { batchId: number; batchCode: string; hubCode: string; onHand: number; daysLeft: number };
}

export interface QualityIncidentResult extends RecordedIncident {
  /** The batch alert raised for a high or critical incident on a known batch. */
  alert?: { proposal: AlertProposal; note: string; recorded: boolean };
}
