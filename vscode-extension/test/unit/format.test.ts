import { describe, expect, it } from 'vitest';
import { formatAge, formatClock, formatDuration, millisBetween, previewJson } from '../../src/format.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [1000, '1.0 s'],
    [1250, '1.2 s'],
    [9999, '9.9 s'],
    [42_000, '42 s'],
    [125_000, '2 m 5 s'],
    [120_000, '2 m'],
    [3_720_000, '1 h 2 m'],
    [3 * 86_400_000 + 4 * 3_600_000, '3 d 4 h'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('marks impossible durations instead of printing nonsense', () => {
    expect(formatDuration(-5)).toBe('?');
    expect(formatDuration(Number.NaN)).toBe('?');
  });
});

describe('formatAge', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  it.each([
    ['2026-11-25T12:00:00Z', 'just now'],
    ['2026-11-25T11:59:18Z', '42 s ago'],
    ['2026-11-25T11:55:00Z', '5 m ago'],
    ['2026-11-25T09:00:00Z', '3 h ago'],
    ['2026-11-23T12:00:00Z', '2 d ago'],
  ])('%s → %s', (time, text) => {
    expect(formatAge(time, now)).toBe(text);
  });
  it('is empty for an unparsable time', () => {
    expect(formatAge('yesterday', now)).toBe('');
  });
});

describe('small helpers', () => {
  it('millisBetween needs both times', () => {
    expect(millisBetween('2026-11-25T10:00:00Z', '2026-11-25T10:00:01.5Z')).toBe(1500);
    expect(millisBetween(undefined, '2026-11-25T10:00:00Z')).toBeUndefined();
    expect(millisBetween('bad', '2026-11-25T10:00:00Z')).toBeUndefined();
  });
  it('previewJson is compact and cut with an ellipsis', () => {
    expect(previewJson({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(previewJson('text')).toBe('text');
    expect(previewJson(undefined)).toBe('');
    expect(previewJson('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });
  it('formatClock shows UTC time of day, with milliseconds only when present', () => {
    expect(formatClock('2026-11-25T10:00:00Z')).toBe('10:00:00');
    expect(formatClock('2026-11-25T10:00:00.250Z')).toBe('10:00:00.250');
  });
});
