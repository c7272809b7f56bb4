/** One conformance row: a script, optional `data`, and either the expected value or the expected error. */
export interface Case {
  src: string;
  data?: Record<string, unknown>;
  item?: unknown;
  expect?: unknown;
  error?: 'compile' | 'runtime' | 'budget';
  /** For compile errors: the reported unsupported construct. */
  construct?: string;
  message?: RegExp;
}
