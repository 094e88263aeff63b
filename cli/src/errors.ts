/** Exit codes: 1 for a failure the command reports (API error, invalid signature, failed test), 2 for bad usage. */
export const exitCodes = { failure: 1, usage: 2 } as const;

/** An error the CLI prints as one line (`hookline: <message>`) before exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.failure,
    /** The API's machine-readable error code, when the error came from an API. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, exitCodes.usage);
}
