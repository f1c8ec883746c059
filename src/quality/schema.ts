import { z } from 'zod';
import { INCIDENT_CATEGORIES, INCIDENT_KINDS, SEVERITIES, type QualityIncidentInput } from './contract';
import { isCalendarDate } from './rules';

/** A quality incident or complaint as an operator submits it; checked at the CLI and again by Batch & Quality. */
export const QualityIncidentInputSchema = z
  .object({
    incidentId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'incidentId: letters, digits, "-" or "_", at most 64'),
    kind: z.enum(INCIDENT_KINDS),
    category: z.enum(INCIDENT_CATEGORIES),
    description: z.string().trim().min(10, 'description: at least 10 characters').max(2000),
    batchCode: z.string().trim().min(1).optional(),
    sku: z.string().trim().min(1).optional(),
    orderId: z.string().trim().min(1).optional(),
    buyerCode: z.string().trim().min(1).optional(),
    reportedBy: z.string().trim().min(2, 'reportedBy is required').max(200),
    severity: z.enum(SEVERITIES).optional(),
    occurredOn: z.string().refine(isCalendarDate, 'occurredOn: use YYYY-MM-DD').optional(),
    llmPool: z.string().regex(/^[a-z0-9-]+$/).optional(),
  })
  .strict()
  .refine((i) => i.batchCode !== undefined || i.sku !== undefined, { message: 'name the batch (batchCode) or at least the product (sku)', path: ['batchCode'] });

export type ValidQualityIncidentInput = z.output<typeof QualityIncidentInputSchema> & QualityIncidentInput;

export const WatchDateSchema = z.string().refine(isCalendarDate, 'date: use YYYY-MM-DD');
