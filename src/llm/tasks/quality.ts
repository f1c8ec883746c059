import { z } from 'zod';
import type { TaskTable } from '../tasks';

export const qualityTasks: Pick<TaskTable, 'quality_alert_notes'> = {
  quality_alert_notes: {
    // Exactly one note per alert, aligned by position, so each note is stored with its alert.
    schema: (input) => z.object({ notes: z.array(z.string().min(10).max(1_000)).length(input.alerts.length) }).strict(),
    prompt: (input) => [
      `Batch & Quality alerts of ${input.watchDate}. For each numbered alert write one short note in Ukrainian for the hub team:`,
      'what is wrong, the proposed action exactly as given, and by when. Start each note with the batch code.',
      ...input.alerts.map((a) => a.line),
      'Do not change quantities, prices, percentages or hubs; do not propose other actions.',
    ].join('\n'),
    check: (output, input) => {
      const wrong = input.alerts.flatMap((a, i) => (output.notes[i]?.includes(a.batchCode) ? [] : [a.batchCode]));
      return wrong.length ? `note(s) do not name batch ${wrong.join(', ')}` : undefined;
    },
  },
};
