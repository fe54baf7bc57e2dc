/** An error the user can act on: what went wrong, and how to fix it. */
export class KheadersError extends Error {
  /** Process exit code the CLI uses for this error (2 = usage or input). */
  readonly exitCode: number;
  /** One line telling the user what to do about it. */
  readonly fix: string | undefined;

  constructor(message: string, fix?: string, exitCode = 2) {
    super(fix ? `${message}\n  fix: ${fix}` : message);
    this.name = 'KheadersError';
    this.fix = fix;
    this.exitCode = exitCode;
  }
}
