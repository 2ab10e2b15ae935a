/**
 * An error caused by the user's input (flags, config files, run directories). The
 * CLI prints only its message (no stack trace) and exits with code 2.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
