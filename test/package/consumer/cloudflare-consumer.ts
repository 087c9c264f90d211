// A Worker's TypeScript (with @cloudflare/workers-types), checked against the installed declarations.
import { DurableApp } from 'edge-durable';
import { DurableObjectStorage, KvStorage, TaskHubDurableObject } from 'edge-durable/cloudflare';

export const app = new DurableApp();
export const stores = [KvStorage, DurableObjectStorage] as const;
export class TaskHub extends TaskHubDurableObject {}
