/** Input and output of the Batch & Quality LLM tasks (plain types, importable from workflows). */

export interface QualityAlertNotesInput {
  watchDate: string;
  /** Code-decided alerts, one line each; the model writes one note per alert, in order. */
  alerts: { batchCode: string; line: string }[];
}
export interface QualityAlertNotesOutput {
  notes: string[];
}

export interface QualityLlmTasks {
  quality_alert_notes: { input: QualityAlertNotesInput; output: QualityAlertNotesOutput };
}
