// Error kinds the CLI maps to exit codes: bad input (2) versus a failure while working (1).

/** The user asked for something we cannot do as asked; the message says what to do instead. Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A prerequisite (tool, kernel feature, privilege) is missing; the message says how to get it. Exit code 2. */
export class PrerequisiteError extends UsageError {
  override name = 'PrerequisiteError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
