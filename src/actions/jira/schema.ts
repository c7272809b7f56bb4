import { z } from 'zod';
import { accountSchemas } from '../shared/account-schema.ts';

/** Jira action params (Signals' shape) plus Vigil's resolve options. Strings are templates. */
export const jiraParams = z.strictObject({
  /** Project key, e.g. `OPS`. */
  project: z.string().min(1),
  issue: z.strictObject({
    /** Issue type name, e.g. `Bug`, `Task`. */
    type: z.string().min(1),
    summary: z.string().min(1),
    description: z.string().optional(),
    priority: z.string().optional(),
    component: z.string().optional(),
    /** Extra labels (Signals: one string; Vigil also takes an array). Spaces or commas separate labels. */
    label: z.union([z.string(), z.array(z.string())]).optional(),
    /** Parent issue key, for sub-tasks. */
    parent: z.string().optional(),
  }),
  /** Comment added when the same episode fires again (default: the summary and description). */
  comment: z.string().optional(),
  /** Transition name applied to the open issue when the situation ends (e.g. `Done`); no resolve without it. */
  resolve_transition: z.string().optional(),
  /** Comment added with the resolve transition. */
  resolve_comment: z.string().default('Resolved by Vigil: the situation of watch {{watch.tenant}}/{{watch.id}} has ended.'),
});

export type JiraParams = z.infer<typeof jiraParams>;

/**
 * Jira account. Jira Cloud: Basic auth with `user_name` (the Atlassian account e-mail) and an
 * API token. Jira Data Center: `auth_type: "bearer"` with a personal access token. `api_version` 3
 * (Cloud only) sends descriptions and comments as Atlassian Document Format.
 */
export const jiraAccount = accountSchemas(
  z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    user_name: z.string().optional(),
    auth_type: z.enum(['basic', 'bearer']).default('basic'),
    api_version: z.union([z.literal(2), z.literal(3)]).default(2),
  }),
  z.strictObject({ auth_token: z.string().min(1) }),
  (a, ctx) => {
    if (a.auth_type === 'basic' && !a.user_name) {
      ctx.addIssue({ code: 'custom', path: ['user_name'], message: 'user_name is required for basic auth (Jira Cloud)' });
    }
  },
);

export type JiraAccount = z.input<typeof jiraAccount.schema>;
