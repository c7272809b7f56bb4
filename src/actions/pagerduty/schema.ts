import { z } from 'zod';
import { accountSchemas } from '../shared/account-schema.ts';

export const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

const link = z.strictObject({ href: z.string(), text: z.string().optional() });
const image = z.strictObject({ src: z.string(), href: z.string().optional(), alt: z.string().optional() });

/**
 * PagerDuty action params (Signals' `event` shape). Every string is a template.
 * `custom_details` is an object whose string leaves are templates, or one template that renders to a
 * JSON object.
 */
export const pagerdutyParams = z.strictObject({
  event: z
    .strictObject({
      /**
       * Default: the action's episode key, stable per tenant, watch, action and episode. A templated key
       * is rendered again for resolve/acknowledge with that run's view: it must only use values that stay
       * the same through the episode (e.g. `watch.id`), or the resolve will not match the trigger.
       */
      dedup_key: z.string().optional(),
      event_action: z.enum(['trigger', 'acknowledge', 'resolve']).default('trigger'),
      payload: z
        .strictObject({
          summary: z.string().optional(),
          source: z.string().optional(),
          /** Default: from the watch's severity level. May be a template rendering to one of the four. */
          severity: z.string().optional(),
          timestamp: z.string().optional(),
          component: z.string().optional(),
          group: z.string().optional(),
          class: z.string().optional(),
          custom_details: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
        })
        .default({}),
      links: z.array(link).optional(),
      images: z.array(image).optional(),
    })
    .default({ event_action: 'trigger', payload: {} }),
  /** Send `resolve` with the same dedup_key when the situation ends. Default true. */
  auto_resolve: z.boolean().default(true),
  /** Send `acknowledge` when the watch or action is acked in Vigil. Default false (Vigil option). */
  send_acknowledge: z.boolean().default(false),
});

export type PagerdutyParams = z.infer<typeof pagerdutyParams>;

export const PD_DEFAULT_URL = 'https://events.pagerduty.com/v2/enqueue';

export const pagerdutyAccount = accountSchemas(
  z.strictObject({ url: z.url({ protocol: /^https?$/ }).default(PD_DEFAULT_URL) }),
  z.strictObject({
    /** The Events API v2 integration (routing) key: anyone holding it can page the service. */
    integration_key: z.string().min(1),
  }),
);

export type PagerdutyAccount = z.input<typeof pagerdutyAccount.schema>;
