import { pino } from 'pino';
import type { Logger } from '../../bookshelf/app/ports.js';

/** A real pino logger that writes nothing unless TEST_LOG_LEVEL asks for it. */
export const silentLogger = (): Logger => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
