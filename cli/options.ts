/**
 * The option specs that several commands share, declared once so that their help reads the same
 * everywhere: the instance ID, the reason, the confirmation, and the instance filter.
 * @module
 */
import { RUNTIME_STATUSES } from '../core/wire/status.js';

export const id = { type: 'string', value: 'ID', description: 'The instance ID (required).' } as const;
export const reason = { type: 'string', value: 'TEXT', description: 'Why; recorded in the history.' } as const;
export const yes = { type: 'boolean', short: 'y', description: 'Do not ask for confirmation.' } as const;
export const createdAfter = { type: 'string', value: 'DATE', description: 'Only instances created at or after this ISO 8601 time (UTC).' } as const;
export const createdBefore = { type: 'string', value: 'DATE', description: 'Only instances created at or before this ISO 8601 time (UTC).' } as const;
export const instanceIdPrefix = { type: 'string', value: 'PREFIX', description: 'Only IDs starting with this (then sorted by ID).' } as const;
export const runtimeStatus = {
  type: 'string',
  multiple: true,
  statusList: true,
  value: 'STATUS...',
  description: `Only these statuses: ${RUNTIME_STATUSES.join(' ')} (space- or comma-separated, any case).`,
} as const;
