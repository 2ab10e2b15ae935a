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

/** Run `f`; any error it throws is the user's input's fault (a flag, a symmetry, a sweep plan): rethrown as a UserError. */
export function asUserError<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw isUserError(err) ? err : new UserError((err as Error).message);
  }
}
