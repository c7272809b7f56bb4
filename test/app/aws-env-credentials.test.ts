/**
 * The daemon's own AWS credentials: read from the environment it is given (never the process's own),
 * both keys or none, the session token when there is one; at start their values join the redactor and
 * the log says only whether there are any.
 */
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/accounts/redact.ts';
import { daemonAwsCredentials } from '../../src/app/settings.ts';
import { awsCredentialsFromEnv } from '../../src/net/aws/credentials.ts';
import { captureLogger } from '../kit/log-capture.ts';

const ID = 'AKIAVIGILENVKEY00001';
const SECRET = 'eNv/Secret+Key0For/The+Daemon0abcdefghij';
const TOKEN = 'IQoJb3JpZ2luX2VjEnvSessionToken/+=abcdefghijklmnop';

describe('awsCredentialsFromEnv', () => {
  it('takes both keys and the session token, or nothing', () => {
    expect(awsCredentialsFromEnv({ AWS_ACCESS_KEY_ID: ID, AWS_SECRET_ACCESS_KEY: SECRET })).toEqual({ accessKeyId: ID, secretAccessKey: SECRET });
    expect(awsCredentialsFromEnv({ AWS_ACCESS_KEY_ID: ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN })).toEqual({ accessKeyId: ID, secretAccessKey: SECRET, sessionToken: TOKEN });
    expect(awsCredentialsFromEnv({ AWS_ACCESS_KEY_ID: ID })).toBeUndefined();
    expect(awsCredentialsFromEnv({ AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN })).toBeUndefined();
    expect(awsCredentialsFromEnv({ AWS_ACCESS_KEY_ID: ' ', AWS_SECRET_ACCESS_KEY: SECRET })).toBeUndefined();
    expect(awsCredentialsFromEnv({})).toBeUndefined();
  });
});

describe('daemonAwsCredentials (at start)', () => {
  it('adds every value to the redactor and logs none of them', () => {
    const log = captureLogger('trace', { redact: false });
    const redactor = createRedactor();
    const creds = daemonAwsCredentials({ AWS_ACCESS_KEY_ID: ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN }, { logger: log.logger, redactor });
    expect(creds).toEqual({ accessKeyId: ID, secretAccessKey: SECRET, sessionToken: TOKEN });
    expect(redactor.scrub(`id ${ID} secret ${encodeURIComponent(SECRET)} token ${JSON.stringify(TOKEN)}`)).toBe('id [redacted] secret [redacted] token "[redacted]"');
    expect(log.lines).toEqual([expect.objectContaining({ level: 30, temporary: true, msg: expect.stringContaining('AWS credentials in the environment') })]);
    expect([ID, SECRET, TOKEN].filter((s) => log.text().includes(s))).toEqual([]);
  });

  it('warns about a half-set pair and has no credentials', () => {
    const log = captureLogger('trace', { redact: false });
    expect(daemonAwsCredentials({ AWS_SECRET_ACCESS_KEY: SECRET }, { logger: log.logger })).toBeUndefined();
    expect(log.lines).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY') })]);
    expect(log.text()).not.toContain(SECRET);
    const quiet = captureLogger('trace');
    expect(daemonAwsCredentials({}, { logger: quiet.logger })).toBeUndefined();
    expect(quiet.lines).toEqual([]);
  });
});
