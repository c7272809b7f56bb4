import { z } from 'zod';

/**
 * The channel action's own fields: the channel (an account id, written out: where a notification goes
 * is decided when the watch loads, not by a value of the run), a subject and a message (templates,
 * rendered as plain text; each channel type escapes them for its medium).
 */
export const notificationParams = z.strictObject({
  channel: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be the id of a channel: [A-Za-z0-9_-]{1,128}, not a template')
    .refine((id) => !['__proto__', 'constructor', 'prototype'].includes(id), 'is a reserved name, not an account id'),
  subject: z.string().optional(),
  message: z.string().min(1),
});

export type NotificationParams = z.infer<typeof notificationParams>;

/** What the channel action puts in the outbox: the rendered message and where it goes. No secret. */
export interface ChannelRequest {
  channel: string;
  subject: string;
  message: string;
  severity: string;
}

/** Narrows an outbox payload back to a ChannelRequest (the outbox stores `unknown`). */
export function asChannelRequest(request: unknown): ChannelRequest | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const r = request as Record<string, unknown>;
  if (typeof r.channel !== 'string' || typeof r.subject !== 'string' || typeof r.message !== 'string' || typeof r.severity !== 'string') return undefined;
  return { channel: r.channel, subject: r.subject, message: r.message, severity: r.severity };
}
