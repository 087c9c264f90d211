/** PROVISIONAL: replaced by the explorer-server branch's bundle module at merge. */
import { DurableError } from '../errors.js';
import type { HistoryEvent } from '../history.js';
import type { StatusPayload } from './payloads.js';

export interface HistoryBundle {
  format: 'edge-durable/history-bundle';
  version: 1;
  instance: StatusPayload;
  history: HistoryEvent[];
}

export function parseBundle(text: string): HistoryBundle {
  const b = JSON.parse(text) as HistoryBundle;
  if (b.format !== 'edge-durable/history-bundle' || b.version !== 1) throw new DurableError('BundleFormat' as never, `unsupported bundle version ${b.version}`);
  return b;
}
