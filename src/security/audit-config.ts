/**
 * The audit configuration (the OpenSearch Security `audit` document, the parts that apply to Vigil):
 * whether to audit, which categories not to, which users and requests to leave out, and whether request
 * bodies are kept (always redacted of secrets).
 *
 * Categories: `FAILED_LOGIN` (authentication failed), `MISSING_PRIVILEGES` (authenticated, not allowed),
 * `GRANTED_PRIVILEGES` (an allowed change: any method but GET and HEAD) and `AUTHENTICATED` (an allowed
 * read of a security or account route). Reads of other routes are not audited.
 */
import { z } from 'zod';

export const AUDIT_CATEGORIES = ['FAILED_LOGIN', 'MISSING_PRIVILEGES', 'GRANTED_PRIVILEGES', 'AUTHENTICATED'] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

export const auditConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    audit: z
      .object({
        enable_rest: z.boolean().default(true),
        disabled_rest_categories: z.array(z.enum(AUDIT_CATEGORIES)).max(8).default(['AUTHENTICATED']),
        /** User names or wildcard patterns. */
        ignore_users: z.array(z.string().min(1).max(256)).max(256).default([]),
        /** `METHOD /path` or `/path`, wildcards allowed (`GET /_signals/watch/*`). */
        ignore_requests: z.array(z.string().min(1).max(512)).max(256).default([]),
        log_request_body: z.boolean().default(false),
        /** Headers are never kept; the field exists for documents written for OpenSearch. */
        exclude_sensitive_headers: z.literal(true, { error: 'headers are never audited' }).default(true),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type AuditConfig = z.output<typeof auditConfigSchema>;
export const DEFAULT_AUDIT_CONFIG: AuditConfig = auditConfigSchema.parse({});

/** Fields GET shows but PUT and PATCH may not change. */
export const AUDIT_READONLY: string[] = ['/audit/exclude_sensitive_headers'];
