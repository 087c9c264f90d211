/**
 * The shape of a command, and the context it runs in.
 * @module
 */
import type { OptionSpecs, Values } from './args.js';
import type { Backend } from './backend.js';
import type { CliIO } from './io.js';

export interface Context {
  io: CliIO;
  command: string;
  values: Values;
  positionals: string[];
  /** `--json`: machine-readable stdout. */
  json: boolean;
  /** Opened on first use from --endpoint/--store (or the environment). */
  backend(): Promise<Backend>;
  out(text: string): void;
  err(text: string): void;
  /** JSON with --json, else the text. */
  print(data: unknown, text: () => string): void;
}

export interface Command {
  name: string;
  summary: string;
  /** After `durable <name>`, e.g. `--id ID [--reason TEXT]`. */
  synopsis: string;
  description?: string;
  options: OptionSpecs;
  /** `rest`: the last one takes any number of arguments. */
  positionals?: { name: string; description: string; rest?: boolean }[];
  /** Whether it needs --endpoint or --store. */
  backend: boolean;
  examples: string[];
  /**
   * Resolves to nothing when the command succeeded (exit 0), or to the exit code of an outcome it
   * has reported itself (a batch with failures); any other failure throws a CliError.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a command that succeeds returns nothing; void lets it end without `return undefined`.
  run(context: Context): Promise<number | void>;
}
