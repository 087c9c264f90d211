/** DurableApp's registration rules: a name is registered once, and the error says which registrations clash and what to do. */
import { describe, expect, it } from 'vitest';
import { DurableApp, InvalidArgumentError } from '../../core/index.js';

describe('DurableApp registration', () => {
  it('refuses an orchestrator name registered twice, naming both registrations and the fix', () => {
    const app = new DurableApp().orchestration('Hello', function* hello(context) {
      return yield context.df.callActivity('A');
    });
    let error: unknown;
    try {
      app.orchestration('Hello', function* (context) {
        return yield context.df.callActivity('B');
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      "Orchestrator 'Hello' is already registered (first as function hello, again as an anonymous function); a name is registered once per DurableApp: rename one of the two or remove the second registration.",
    );
    expect(app.orchestratorNames).toEqual(['Hello']);
  });

  it('refuses an activity name registered twice; the same name may be an orchestrator and an activity', () => {
    const sayHello = (city: string) => `Hello ${city}`;
    const app = new DurableApp().activity('SayHello', sayHello).orchestration('SayHello', function* (context) {
      return yield context.df.callActivity('SayHello', 'Tokyo');
    });
    expect(() => app.activity('SayHello', { handler: sayHello })).toThrow(
      /^Activity 'SayHello' is already registered \(first as function sayHello, again as function sayHello\)/,
    );
    expect(app.getActivity('SayHello')).toBe(sayHello);
  });
});
