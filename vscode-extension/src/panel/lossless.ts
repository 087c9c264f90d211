/**
 * The lossless history rows (one per stored event, as the paged route and history bundles carry
 * them) as Durable Functions' merged rows, for the episode, diagram and pending views: the rows are
 * read back into their events and merged by core/wire's one `toHistoryEvents`.
 */
import { fromHistoryRows, type HistoryRow, toHistoryEvents } from '../wire.js';

export function mergedRows(rows: readonly HistoryRow[]): HistoryRow[] {
  return toHistoryEvents(fromHistoryRows(rows), { showHistoryOutput: true });
}
