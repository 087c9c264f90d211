import { describe, expect, it } from 'vitest';
import { validateTimeInput } from '../../src/commands/validation.js';
import { describeFilter, filterToQuery, isEmptyFilter, parseTimeInput } from '../../src/filters.js';

const now = Date.parse('2026-11-25T12:00:00Z');

describe('instance filter', () => {
  it('is empty only without any criterion', () => {
    expect(isEmptyFilter({ statuses: [] })).toBe(true);
    expect(isEmptyFilter({ statuses: ['Failed'] })).toBe(false);
    expect(isEmptyFilter({ statuses: [], idPrefix: 'a' })).toBe(false);
  });

  it('maps to the query parameters of GET instances', () => {
    expect(filterToQuery({ statuses: ['Running', 'Failed'], createdFrom: '2026-11-01T00:00:00.000Z', idPrefix: 'order-' })).toEqual({
      runtimeStatus: ['Running', 'Failed'],
      createdTimeFrom: '2026-11-01T00:00:00.000Z',
      instanceIdPrefix: 'order-',
    });
    expect(filterToQuery({ statuses: [] })).toEqual({});
  });

  it('describes itself in one line for the hub node', () => {
    expect(
      describeFilter({ statuses: ['Running', 'Failed'], createdFrom: '2026-11-01T00:00:00.000Z', createdTo: '2026-11-25T10:30:00.000Z', idPrefix: 'abc' }),
    ).toBe('Running, Failed · from 2026-11-01 · to 2026-11-25 10:30Z · id abc*');
    expect(describeFilter({ statuses: [] })).toBe('');
  });
});

describe('time input', () => {
  it('accepts dates, date-times (UTC unless a zone is given) and ages', () => {
    expect(parseTimeInput('2026-11-01', now)).toBe('2026-11-01T00:00:00.000Z');
    expect(parseTimeInput('2026-11-01T10:15', now)).toBe('2026-11-01T10:15:00.000Z');
    expect(parseTimeInput('2026-11-01 10:15:30Z', now)).toBe('2026-11-01T10:15:30.000Z');
    expect(parseTimeInput('2026-11-01T10:15:00+02:00', now)).toBe('2026-11-01T08:15:00.000Z');
    expect(parseTimeInput('30m', now)).toBe('2026-11-25T11:30:00.000Z');
    expect(parseTimeInput('24h', now)).toBe('2026-11-24T12:00:00.000Z');
    expect(parseTimeInput('7d', now)).toBe('2026-11-18T12:00:00.000Z');
    expect(parseTimeInput('  ', now)).toBeUndefined();
  });

  it('rejects anything else with a message fit for the input box', () => {
    expect(validateTimeInput('last tuesday', now)).toMatch(/ISO date/);
    expect(validateTimeInput('2026-13-45', now)).toMatch(/not a valid date/);
    expect(validateTimeInput('7d', now)).toBeUndefined();
    expect(validateTimeInput('', now)).toBeUndefined();
  });
});
