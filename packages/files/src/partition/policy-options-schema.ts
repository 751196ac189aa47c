/** Run-time schemas of the partition commit policies' options, tied to their interfaces at compile time. */

import { z } from 'zod';
import { count, durationMs, fn, schemaFor, strictObject, withMethods } from '@weir/core';
import type { KafkaLikeProducer, KafkaNotificationOptions, WebhookPolicyOptions } from './policies.js';
import type { ReadyPartition } from './types.js';

export const kafkaNotificationOptionsSchema = schemaFor<KafkaNotificationOptions>()(
  strictObject({
    topic: z.string().min(1),
    producer: withMethods<KafkaLikeProducer>(['send'], 'a producer with send()').optional(),
    publish: fn<NonNullable<KafkaNotificationOptions['publish']>>().optional(),
    wasPublished: fn<NonNullable<KafkaNotificationOptions['wasPublished']>>().optional(),
  }),
);

export const callbackOptionsSchema = strictObject({ idempotent: z.boolean().optional(), wasCommitted: fn<(p: ReadyPartition) => Promise<boolean>>().optional() });

export const webhookOptionsSchema = schemaFor<WebhookPolicyOptions>()(
  strictObject(
    {
      url: z.url(),
      headers: z.record(z.string(), z.string()).optional(),
      maxAttempts: count(1).optional(),
      backoffMs: durationMs().optional(),
      timeoutMs: durationMs().optional(),
    },
    { attempts: "renamed to 'maxAttempts'" },
  ),
);
