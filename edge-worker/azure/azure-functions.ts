/**
 * `edge-durable/azure-functions`: the part of `@azure/functions` v4 that durable-functions
 * apps use: `app.http` (and `app.get`, `app.post`, …) with route templates, `HttpRequest`,
 * `HttpResponse`, `HttpResponseInit` and `InvocationContext`. Every other trigger
 * (`app.timer`, `app.storageQueue`, …, `app.generic`) is refused at load, naming it.
 * No platform imports: it runs in Node, workerd and browsers.
 * @module
 */
export { app, type HttpFunctionOptions, input, output, trigger } from './functions-app.js';
export {
  type Cookie,
  type HttpHandler,
  type HttpMethod,
  HttpRequest,
  type HttpRequestInit,
  HttpResponse,
  type HttpResponseBodyInit,
  type HttpResponseInit,
} from './http-types.js';
export { type FunctionInput, InvocationContext, type InvocationContextInit } from './invocation-context.js';
export type { AuthLevel } from './registry.js';
