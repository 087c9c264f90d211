/**
 * Registrations through the compatibility entries: what is refused at load names the
 * registration and says "not supported yet"; route templates match as Azure's do.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { app, HttpResponse, input } from '../../edge-worker/azure/azure-functions.js';
import * as df from '../../edge-worker/azure/durable-functions.js';
import { registry, resetRegistry } from '../../edge-worker/azure/registry.js';
import { compileRoute } from '../../edge-worker/azure/route.js';

beforeEach(() => resetRegistry());

describe('registrations', () => {
  it('entities fail at load naming the registration', () => {
    expect(() => df.app.entity('Counter', () => undefined)).toThrow('df.app.entity("Counter"): durable entities are not supported yet by edge-durable');
    expect(() => new df.EntityId('Counter', 'k')).toThrow('not supported yet');
    expect(() => df.app.client.timer('nightly', {})).toThrow('df.app.client.timer("nightly"): the timer trigger is not supported yet');
  });

  it('every other trigger fails at load naming it, including ones this layer has never heard of', () => {
    for (const trigger of ['timer', 'storageQueue', 'storageBlob', 'serviceBusQueue', 'cosmosDB', 'eventHub', 'generic'] as const) {
      expect(() => (app[trigger] as (name: string, o: object) => void)('f', {})).toThrow(`app.${trigger}("f"): the ${trigger} trigger is not supported yet`);
    }
    expect(() => (app as unknown as Record<string, (n: string) => void>).someFutureTrigger!('f')).toThrow(
      'app.someFutureTrigger("f"): the someFutureTrigger trigger is not supported yet',
    );
    expect(() => (input as unknown as Record<string, () => void>).storageBlob!()).toThrow('the storageBlob input binding is not supported yet');
    expect(registry().names.size).toBe(0);
  });

  it('function names are one namespace across triggers, orchestrations and activities', () => {
    // biome-ignore lint/correctness/useYield: only the registration matters here.
    df.app.orchestration('shared', function* () {
      return 1;
    });
    expect(() => app.http('shared', () => new HttpResponse())).toThrow(
      `app.http("shared") registers the function name 'shared' again (first registered by df.app.orchestration("shared"))`,
    );
    expect(() => df.app.orchestration('plain', (() => 1) as never)).toThrow('df.app.orchestration("plain") needs a generator function');
  });
});

describe('route templates', () => {
  const route = (template: string) => compileRoute(template, 'app.http("f")');

  it('matches parameters, optional and constrained ones, and a catch-all', () => {
    expect(route('orchestrators/{name}/{id?}').match('/orchestrators/Hello')).toEqual({ name: 'Hello' });
    expect(route('orchestrators/{name}/{id?}').match('/Orchestrators/Hello/abc')).toEqual({ name: 'Hello', id: 'abc' });
    expect(route('orchestrators/{name}/{id?}').match('/orchestrators/Hello/abc/more')).toBeUndefined();
    expect(route('items/{id:int}').match('/items/42')).toEqual({ id: '42' });
    expect(route('items/{id:int}').match('/items/x')).toBeUndefined();
    expect(route('items/{id:int?}').match('/items')).toEqual({});
    expect(route('files/{*path}').match('/files/a/b%20c')).toEqual({ path: 'a/b c' });
  });

  it('refuses what it cannot express, naming the registration and the reason', () => {
    expect(() => route('files/{name:regex(^a$)}')).toThrow(`app.http("f"): the route template 'files/{name:regex(^a$)}' cannot be served`);
    expect(() => route('files/{name}.{ext}')).toThrow('mixes text and parameters');
    expect(() => route('a/{x?}/b')).toThrow('may be followed only by optional parameters');
    expect(() => route('a/{x:min(1)}')).toThrow('is not supported');
    expect(() => route('a/{*rest}/b')).toThrow('must be the last segment');
  });
});

describe('the compatibility entries', () => {
  it('import no Node built-in and nothing platform-bound: they bundle for the browser as they are', async () => {
    const { build } = await import('esbuild');
    for (const entry of ['edge-worker/azure/durable-functions.ts', 'edge-worker/azure/azure-functions.ts']) {
      const result = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
      const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
      expect(
        imports.filter((p) => p.startsWith('node:') || p.startsWith('cloudflare:')),
        entry,
      ).toEqual([]);
    }
  });
});
