import { describe, expect, it } from 'vitest';
import { parseJsonInput, validateEventName, validateInstanceId, validateJsonInput } from '../../src/commands/validation';

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

  it('applies the Durable Functions instance ID rules', () => {
    expect(validateInstanceId('', { optional: true })).toBeUndefined();
    expect(validateInstanceId('', { optional: false })).toMatch(/Enter an instance ID/);
    expect(validateInstanceId('@counter@1', { optional: true })).toMatch(/cannot start with @/);
    expect(validateInstanceId('a#b', { optional: true })).toMatch(/cannot contain/);
    expect(validateInstanceId('line\nbreak', { optional: true })).toMatch(/cannot contain/);
    expect(validateInstanceId('order-42', { optional: false })).toBeUndefined();
  });
});
