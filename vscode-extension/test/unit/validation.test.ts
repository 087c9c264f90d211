import { describe, expect, it } from 'vitest';
import { parseJsonInput, validateEventName, validateInstanceId, validateJsonInput } from '../../src/commands/validation.js';
import { instanceIdProblem, MAX_INSTANCE_ID_LENGTH } from '../../src/wire.js';

describe('JSON input', () => {
  it('parses JSON and treats empty input as no value', () => {
    expect(parseJsonInput('{"n": 5}')).toEqual({ n: 5 });
    expect(parseJsonInput(' true ')).toBe(true);
    expect(parseJsonInput('"text"')).toBe('text');
    expect(parseJsonInput('null')).toBeNull();
    expect(parseJsonInput('')).toBeUndefined();
  });

  it('explains invalid JSON, including the unquoted-string mistake', () => {
    expect(validateJsonInput('{n: 5}')).toMatch(/^Not valid JSON/);
    expect(validateJsonInput('hello')).toMatch(/Strings need quotes/);
    expect(validateJsonInput('[1, 2]')).toBeUndefined();
  });
});

describe('names and IDs', () => {
  it('requires an event name that can be a URL path segment', () => {
    expect(validateEventName('')).toMatch(/Enter the event name/);
    expect(validateEventName('a/b')).toMatch(/cannot contain/);
    expect(validateEventName('x'.repeat(257))).toMatch(/256/);
    expect(validateEventName('Approval')).toBeUndefined();
  });

  it('applies the instance ID rules of the server, with its messages', () => {
    expect(validateInstanceId('', { optional: true })).toBeUndefined();
    expect(validateInstanceId('', { optional: false })).toMatch(/Enter an instance ID/);
    expect(validateInstanceId('@counter@1', { optional: true })).toMatch(/must not start with '@'/);
    expect(validateInstanceId('a#b', { optional: true })).toMatch(/contains '#'/);
    expect(validateInstanceId('line\nbreak', { optional: true })).toMatch(/contains U\+000a/);
    expect(validateInstanceId('order-42', { optional: false })).toBeUndefined();
  });

  it('allows the IDs the server allows: at most 100 characters', () => {
    expect(validateInstanceId('x'.repeat(MAX_INSTANCE_ID_LENGTH), { optional: false })).toBeUndefined();
    expect(validateInstanceId('x'.repeat(101), { optional: false })).toMatch(/101 characters long; the limit is 100/);
    for (const id of ['x'.repeat(101), '@e', 'a/b', 'a?b', 'tab\there', 'order-42']) {
      expect([id, validateInstanceId(id, { optional: false })]).toEqual([id, instanceIdProblem(id)]);
    }
  });
});
