import { z } from 'zod';
import type { LinkingService } from '../services/linking-service.ts';
import { ValidationError } from '../services/principal.ts';
import type { JobDefinition } from './job-service.ts';

export const LINKAGE_MODEL_TRAIN = 'linkage-model-train';

const payload = z.object({}).strict();

/**
 * Retrains the record linkage model every Sunday at 02:00 London time, as the operator
 * (`mayTrainLinkageModel`), so that its name frequencies and weights follow the data. With too few
 * records to train on it says so and changes nothing (the app keeps the model it has).
 */
export function linkageModelTrainJob(linking: LinkingService): JobDefinition<typeof payload> {
  return {
    name: LINKAGE_MODEL_TRAIN,
    purpose: 'retrain the record linkage model on the people and agency records held',
    payload,
    policy: 'exclusive',
    retry: { limit: 2, delaySeconds: 600, backoff: true, maxDelaySeconds: 3600 },
    timeoutSeconds: 1800,
    schedule: { cron: '0 2 * * 0', timeZone: 'Europe/London' },
    async run(_p, ctx) {
      try {
        const { modelId, summary } = await linking.train('operator', ctx.auditContext, { actor: ctx.actor });
        return { modelId, people: summary.people, records: summary.records };
      } catch (e) {
        if (e instanceof ValidationError) return { trained: false, reason: Object.values(e.fields).join('; ') };
        throw e;
      }
    },
  };
}
