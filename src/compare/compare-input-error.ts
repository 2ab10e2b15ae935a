/**
 * A comparison refused because of its input (no such sweep directory, no usable runs,
 * an unknown --baseline), before anything is written. The CLI reports it as a user
 * error (exit 2, one line, no stack trace).
 */
export class CompareInputError extends Error {
  override readonly name = 'CompareInputError';
}
