import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthError, ConfigError, OrgsyncError, ValidationError } from '../../src/errors.js';
import { getHeader, verifyBambooHrWebhook, verifyGustoWebhook } from '../../src/webhooks.js';

const BAMBOO_KEY = 'bamboo-private-key-5f2c9a';
const GUSTO_TOKEN = 'gusto-verification-token-77d1';
const NOW = new Date('2026-03-01T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);

function bambooSign(body: string, ts: string, key = BAMBOO_KEY): string {
  return createHmac('sha256', key)
    .update(body + ts)
    .digest('hex');
}

function gustoSign(body: string, token = GUSTO_TOKEN): string {
  return createHmac('sha256', token).update(body).digest('hex');
}

/** Run fn, return the error it throws (fails the test when it does not throw). */
function catchError(fn: () => unknown): OrgsyncError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OrgsyncError);
    return e as OrgsyncError;
  }
  throw new Error('expected an error');
}

const eventBody = JSON.stringify({
  type: 'employee.updated',
  timestamp: '2026-03-01T11:59:58Z',
  data: { companyId: 'c-1', employeeId: '123', changedFields: ['jobTitle'] },
});
const fieldBody = JSON.stringify({
  employees: [
    {
      id: '7',
      action: 'Updated',
      timestamp: '2026-03-01T11:59:00Z',
      changedFields: ['firstName'],
      fields: { firstName: 'Ann' },
    },
    { id: 8, action: 'Updated', timestamp: '2026-03-01T11:59:00Z', changedFields: ['jobTitle'], fields: {} },
    { id: '7', action: 'Updated', timestamp: '2026-03-01T11:59:01Z', changedFields: ['lastName'], fields: {} },
  ],
});

describe('verifyBambooHrWebhook', () => {
  const ts = String(NOW_S - 10);
  const headers = (body: string, over: Record<string, string> = {}) => ({
    'x-bamboohr-signature': bambooSign(body, ts),
    'x-bamboohr-timestamp': ts,
    ...over,
  });

  it('accepts a valid event-based payload and normalizes it', () => {
    const r = verifyBambooHrWebhook({
      rawBody: eventBody,
      headers: headers(eventBody),
      privateKey: BAMBOO_KEY,
      now: NOW,
    });
    expect(r).toEqual({
      vendor: 'bamboohr',
      eventType: 'employee.updated',
      employeeIds: ['123'],
      receivedAt: NOW.toISOString(),
      companyId: 'c-1',
      sentAt: new Date((NOW_S - 10) * 1000).toISOString(),
    });
  });

  it('accepts a valid field-based payload, deduplicating employee ids', () => {
    const r = verifyBambooHrWebhook({
      rawBody: Buffer.from(fieldBody),
      headers: headers(fieldBody),
      privateKey: BAMBOO_KEY,
      now: NOW,
    });
    expect(r.employeeIds).toEqual(['7', '8']);
    expect(r.eventType).toBe('employee.updated');
    const created = JSON.stringify({ employees: [{ id: '9', action: 'Created', fields: {} }] });
    expect(
      verifyBambooHrWebhook({ rawBody: created, headers: headers(created), privateKey: BAMBOO_KEY, now: NOW })
        .eventType,
    ).toBe('employee.created');
    const mixed = JSON.stringify({
      employees: [
        { id: '9', action: 'Created' },
        { id: '10', action: 'Deleted' },
      ],
    });
    expect(
      verifyBambooHrWebhook({ rawBody: mixed, headers: headers(mixed), privateKey: BAMBOO_KEY, now: NOW }).eventType,
    ).toBe('employee.changed');
  });

  it('looks headers up case-insensitively, from records, arrays and Fetch Headers', () => {
    const h = headers(eventBody);
    const upper = { 'X-BambooHR-Signature': h['x-bamboohr-signature'], 'X-BAMBOOHR-TIMESTAMP': [ts] };
    expect(
      verifyBambooHrWebhook({ rawBody: eventBody, headers: upper, privateKey: BAMBOO_KEY, now: NOW }).employeeIds,
    ).toEqual(['123']);
    const fetchHeaders = new Headers(h);
    expect(
      verifyBambooHrWebhook({
        rawBody: new TextEncoder().encode(eventBody),
        headers: fetchHeaders,
        privateKey: BAMBOO_KEY,
        now: NOW,
      }).vendor,
    ).toBe('bamboohr');
    expect(getHeader([['X-Thing', 'v']], 'x-thing')).toBe('v');
  });

  it('rejects a tampered body', () => {
    const tampered = eventBody.replace('"123"', '"124"');
    const err = catchError(() =>
      verifyBambooHrWebhook({ rawBody: tampered, headers: headers(eventBody), privateKey: BAMBOO_KEY, now: NOW }),
    );
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('webhook_signature_invalid');
  });

  it('rejects a tampered timestamp (the timestamp is signed)', () => {
    const h = { ...headers(eventBody), 'x-bamboohr-timestamp': String(NOW_S - 5) };
    expect(
      catchError(() => verifyBambooHrWebhook({ rawBody: eventBody, headers: h, privateKey: BAMBOO_KEY, now: NOW }))
        .code,
    ).toBe('webhook_signature_invalid');
  });

  it('rejects the wrong key, and never puts the key in the message', () => {
    const err = catchError(() =>
      verifyBambooHrWebhook({
        rawBody: eventBody,
        headers: headers(eventBody),
        privateKey: 'another-key-entirely',
        now: NOW,
      }),
    );
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('webhook_signature_invalid');
    expect(err.message).not.toContain('another-key-entirely');
    expect(JSON.stringify(err.toJSON())).not.toContain('another-key-entirely');
    const err2 = catchError(() =>
      verifyBambooHrWebhook({
        rawBody: eventBody,
        headers: headers(eventBody, { 'x-bamboohr-signature': 'zz' }),
        privateKey: BAMBOO_KEY,
        now: NOW,
      }),
    );
    expect(err2.message).not.toContain(BAMBOO_KEY);
  });

  it('rejects stale and future timestamps outside the tolerance', () => {
    const old = String(NOW_S - 301);
    const h = { 'x-bamboohr-signature': bambooSign(eventBody, old), 'x-bamboohr-timestamp': old };
    const err = catchError(() =>
      verifyBambooHrWebhook({ rawBody: eventBody, headers: h, privateKey: BAMBOO_KEY, now: NOW }),
    );
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('webhook_timestamp_stale');
    expect(err.message).toMatch(/301s old/);
    const future = String(NOW_S + 400);
    const hf = { 'x-bamboohr-signature': bambooSign(eventBody, future), 'x-bamboohr-timestamp': future };
    expect(
      catchError(() => verifyBambooHrWebhook({ rawBody: eventBody, headers: hf, privateKey: BAMBOO_KEY, now: NOW }))
        .code,
    ).toBe('webhook_timestamp_stale');
    // A wider tolerance accepts it; exactly at the edge is accepted.
    expect(
      verifyBambooHrWebhook({ rawBody: eventBody, headers: h, privateKey: BAMBOO_KEY, now: NOW, toleranceSeconds: 600 })
        .employeeIds,
    ).toEqual(['123']);
    const edge = String(NOW_S - 300);
    expect(
      verifyBambooHrWebhook({
        rawBody: eventBody,
        headers: { 'x-bamboohr-signature': bambooSign(eventBody, edge), 'x-bamboohr-timestamp': edge },
        privateKey: BAMBOO_KEY,
        now: NOW.getTime(),
      }).vendor,
    ).toBe('bamboohr');
  });

  it('rejects missing or malformed headers', () => {
    const h = headers(eventBody);
    const noSig = catchError(() =>
      verifyBambooHrWebhook({
        rawBody: eventBody,
        headers: { 'x-bamboohr-timestamp': ts },
        privateKey: BAMBOO_KEY,
        now: NOW,
      }),
    );
    expect(noSig).toBeInstanceOf(AuthError);
    expect(noSig.code).toBe('webhook_signature_missing');
    const noTs = catchError(() =>
      verifyBambooHrWebhook({
        rawBody: eventBody,
        headers: { 'x-bamboohr-signature': h['x-bamboohr-signature'] },
        privateKey: BAMBOO_KEY,
        now: NOW,
      }),
    );
    expect(noTs.code).toBe('webhook_timestamp_missing');
    const badTs = catchError(() =>
      verifyBambooHrWebhook({
        rawBody: eventBody,
        headers: { ...h, 'x-bamboohr-timestamp': '2026-03-01T12:00:00Z' },
        privateKey: BAMBOO_KEY,
        now: NOW,
      }),
    );
    expect(badTs.code).toBe('webhook_timestamp_invalid');
    const twoSigs = catchError(() =>
      verifyBambooHrWebhook({
        rawBody: eventBody,
        headers: { ...h, 'x-bamboohr-signature': [h['x-bamboohr-signature'], 'ab'] },
        privateKey: BAMBOO_KEY,
        now: NOW,
      }),
    );
    expect(twoSigs.code).toBe('webhook_signature_invalid');
  });

  it('accepts an uppercase-hex signature and rejects a truncated one', () => {
    const sig = bambooSign(eventBody, ts);
    expect(
      verifyBambooHrWebhook({
        rawBody: eventBody,
        headers: headers(eventBody, { 'x-bamboohr-signature': sig.toUpperCase() }),
        privateKey: BAMBOO_KEY,
        now: NOW,
      }).vendor,
    ).toBe('bamboohr');
    expect(
      catchError(() =>
        verifyBambooHrWebhook({
          rawBody: eventBody,
          headers: headers(eventBody, { 'x-bamboohr-signature': sig.slice(0, 62) }),
          privateKey: BAMBOO_KEY,
          now: NOW,
        }),
      ).code,
    ).toBe('webhook_signature_invalid');
  });

  it('refuses a missing key, a parsed body, and a signed body that is not a known payload', () => {
    expect(() =>
      verifyBambooHrWebhook({ rawBody: eventBody, headers: headers(eventBody), privateKey: '', now: NOW }),
    ).toThrow(ConfigError);
    expect(() =>
      verifyBambooHrWebhook({
        rawBody: JSON.parse(eventBody),
        headers: headers(eventBody),
        privateKey: BAMBOO_KEY,
        now: NOW,
      }),
    ).toThrow(ConfigError);
    const junk = 'not json';
    expect(() =>
      verifyBambooHrWebhook({ rawBody: junk, headers: headers(junk), privateKey: BAMBOO_KEY, now: NOW }),
    ).toThrow(ValidationError);
    const other = '[1,2]';
    expect(() =>
      verifyBambooHrWebhook({ rawBody: other, headers: headers(other), privateKey: BAMBOO_KEY, now: NOW }),
    ).toThrow(ValidationError);
  });
});

describe('verifyGustoWebhook', () => {
  const event = {
    uuid: 'evt-0001',
    event_type: 'employee.terminated',
    resource_type: 'Company',
    resource_uuid: 'company-abc',
    entity_type: 'Employee',
    entity_uuid: 'emp-123',
    timestamp: NOW_S - 30,
  };
  const body = JSON.stringify(event);

  it('accepts a valid event and normalizes it', () => {
    const r = verifyGustoWebhook({
      rawBody: body,
      headers: { 'X-Gusto-Signature': gustoSign(body) },
      verificationToken: GUSTO_TOKEN,
      now: NOW,
    });
    expect(r).toEqual({
      vendor: 'gusto',
      eventType: 'employee.terminated',
      employeeIds: ['emp-123'],
      receivedAt: NOW.toISOString(),
      eventId: 'evt-0001',
      companyId: 'company-abc',
      sentAt: new Date((NOW_S - 30) * 1000).toISOString(),
    });
  });

  it('returns no employee ids for non-employee events', () => {
    const b = JSON.stringify({
      ...event,
      event_type: 'company.updated',
      entity_type: 'Company',
      entity_uuid: 'company-abc',
    });
    expect(
      verifyGustoWebhook({ rawBody: b, headers: { 'x-gusto-signature': gustoSign(b) }, verificationToken: GUSTO_TOKEN })
        .employeeIds,
    ).toEqual([]);
  });

  it('rejects a tampered body, the wrong token and a missing header', () => {
    const tampered = body.replace('emp-123', 'emp-999');
    const e1 = catchError(() =>
      verifyGustoWebhook({
        rawBody: tampered,
        headers: { 'x-gusto-signature': gustoSign(body) },
        verificationToken: GUSTO_TOKEN,
      }),
    );
    expect(e1).toBeInstanceOf(AuthError);
    expect(e1.code).toBe('webhook_signature_invalid');
    const e2 = catchError(() =>
      verifyGustoWebhook({
        rawBody: body,
        headers: { 'x-gusto-signature': gustoSign(body) },
        verificationToken: 'wrong-token-value',
      }),
    );
    expect(e2.code).toBe('webhook_signature_invalid');
    expect(e2.message).not.toContain('wrong-token-value');
    expect(e2.message).not.toContain(GUSTO_TOKEN);
    const e3 = catchError(() => verifyGustoWebhook({ rawBody: body, headers: {}, verificationToken: GUSTO_TOKEN }));
    expect(e3).toBeInstanceOf(AuthError);
    expect(e3.code).toBe('webhook_signature_missing');
  });

  it('checks the payload timestamp only when a tolerance is given', () => {
    const old = JSON.stringify({ ...event, timestamp: NOW_S - 3600 });
    const h = { 'x-gusto-signature': gustoSign(old) };
    expect(verifyGustoWebhook({ rawBody: old, headers: h, verificationToken: GUSTO_TOKEN, now: NOW }).eventId).toBe(
      'evt-0001',
    );
    expect(
      catchError(() =>
        verifyGustoWebhook({
          rawBody: old,
          headers: h,
          verificationToken: GUSTO_TOKEN,
          now: NOW,
          toleranceSeconds: 300,
        }),
      ).code,
    ).toBe('webhook_timestamp_stale');
  });

  it('refuses a missing token and a signed body that is not a Gusto event', () => {
    expect(() =>
      verifyGustoWebhook({ rawBody: body, headers: { 'x-gusto-signature': gustoSign(body) }, verificationToken: '' }),
    ).toThrow(ConfigError);
    const b = JSON.stringify({ hello: 'world' });
    expect(() =>
      verifyGustoWebhook({
        rawBody: b,
        headers: { 'x-gusto-signature': gustoSign(b) },
        verificationToken: GUSTO_TOKEN,
      }),
    ).toThrow(ValidationError);
  });
});
