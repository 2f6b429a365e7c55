import { describe, expect, it } from 'vitest';
import { describeGateRecord, formatGateRecord, isOpenFor, parseGateRecord } from './record.ts';

describe('gate annotation records', () => {
  const record = {
    state: 'open' as const,
    revision: '5d8f9c',
    by: 'system:serviceaccount:team-a:deployer',
    at: '2026-05-04T10:00:00.000Z',
  };

  it('round-trips, with the keys in a fixed order', () => {
    const value = formatGateRecord({
      at: record.at,
      by: record.by,
      revision: record.revision,
      state: 'open',
    });
    expect(value).toBe(
      '{"state":"open","revision":"5d8f9c","by":"system:serviceaccount:team-a:deployer","at":"2026-05-04T10:00:00.000Z"}',
    );
    expect(parseGateRecord(value)).toEqual(record);
    expect(parseGateRecord(formatGateRecord({ state: 'closed' }))).toEqual({ state: 'closed' });
  });

  it('reads old, missing and malformed values as no record', () => {
    for (const value of [
      undefined,
      '',
      'open',
      'closed',
      '{',
      '[]',
      'null',
      '{"state":"opened"}',
      '{"state":"open","revision":1}',
      '{"state":"open","by":["x"]}',
    ])
      expect(parseGateRecord(value), String(value)).toBeUndefined();
  });

  it('is open only for the revision it was opened for', () => {
    const open = formatGateRecord(record);
    expect(isOpenFor(open, '5d8f9c')).toBe(true);
    expect(isOpenFor(open, 'next')).toBe(false);
    expect(isOpenFor(open, undefined)).toBe(false);
    expect(isOpenFor(formatGateRecord({ ...record, state: 'closed' }), '5d8f9c')).toBe(false);
    expect(isOpenFor(formatGateRecord({ state: 'open' }), '')).toBe(false);
    expect(isOpenFor(formatGateRecord({ state: 'open' }), undefined)).toBe(false);
    expect(isOpenFor('open', '5d8f9c')).toBe(false);
  });

  it('describes a record for people', () => {
    const open = formatGateRecord(record);
    expect(describeGateRecord(open, '5d8f9c')).toBe(
      'open for revision 5d8f9c by system:serviceaccount:team-a:deployer at 2026-05-04T10:00:00.000Z',
    );
    expect(describeGateRecord(open, 'next')).toMatch(/\(an earlier revision: closed for the current one\)$/);
    expect(describeGateRecord('open')).toBe('open (old format: treated as closed)');
    expect(describeGateRecord(undefined)).toBeUndefined();
  });
});
