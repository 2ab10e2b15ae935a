/**
 * Logging through winston. One console transport (human-readable) by default;
 * a run adds a JSON-lines file transport with `addJsonFile`.
 */
import winston from 'winston';

export type Logger = winston.Logger;

const consoleFormat = winston.format.combine(
  winston.format.timestamp({ format: 'HH:mm:ss' }),
  winston.format.printf((info) => {
    const { level, message, timestamp, stack, ...rest } = info as Record<string, unknown> & { level: string; message: unknown; timestamp: string };
    // A stack trace reaches the console only with RPP_SAC_DEBUG (the JSON file always keeps it).
    if (stack !== undefined && process.env.RPP_SAC_DEBUG) rest.stack = stack;
    const extra = Object.keys(rest).length > 0 ? ' ' + JSON.stringify(rest) : '';
    return `${timestamp} ${level} ${String(message)}${extra}`;
  }),
);

/** Create a logger. Level: option, else RPP_SAC_LOG_LEVEL, else 'info'. Console goes to stderr so stdout stays machine-readable. */
export function createLogger(opts: { level?: string; silent?: boolean } = {}): Logger {
  const level = opts.level ?? process.env.RPP_SAC_LOG_LEVEL ?? 'info';
  return winston.createLogger({
    level,
    silent: opts.silent ?? false,
    transports: [new winston.transports.Console({ format: consoleFormat, stderrLevels: ['error', 'warn', 'info', 'verbose', 'debug', 'silly'] })],
  });
}

/** Add a JSON-lines file transport (one JSON object per line) to a logger. */
export function addJsonFile(logger: Logger, filename: string): void {
  logger.add(new winston.transports.File({ filename, format: winston.format.combine(winston.format.timestamp(), winston.format.json()) }));
}

let defaultLogger: Logger | undefined;
/** The library's default logger, created on first use. Pass your own logger to constructors to override. */
export function getDefaultLogger(): Logger {
  defaultLogger ??= createLogger();
  return defaultLogger;
}
