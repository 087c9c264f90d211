import { describe, expect, it } from 'vitest';
import {
  BundleFormatError,
  DurableError,
  InvalidArgumentError,
  isDurableError,
  MessageError,
  StorageCorruptedError,
  StorageQuotaExceededError,
  StoreInUseError,
  TimeoutError,
} from '../../core/errors.js';

describe('errors that say everything in their message', () => {
  it.each([
    [InvalidArgumentError, 'InvalidArgument'],
    [StorageCorruptedError, 'StorageCorrupted'],
    [StorageQuotaExceededError, 'StorageQuotaExceeded'],
    [StoreInUseError, 'StoreInUse'],
    [TimeoutError, 'Timeout'],
    [BundleFormatError, 'BundleFormat'],
  ] as const)('%o carries its class name, its code and the cause', (ErrorClass, code) => {
    const cause = new Error('underneath');
    const error = new ErrorClass('what happened', { cause });
    expect(error).toBeInstanceOf(MessageError);
    expect(error).toBeInstanceOf(DurableError);
    expect(error).toMatchObject({ name: ErrorClass.name, code, message: 'what happened', cause });
    expect(String(error)).toBe(`${ErrorClass.name}: what happened`);
    expect(isDurableError(error, code)).toBe(true);
  });
});
