import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino({ level, base: { app: 'kanaria' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
