/** The flags every Bookshelf entry takes, written once for the tests and the bench that start them as processes. */
import { CONSUL, KAFKA } from './infra-addresses.js';

export interface ServiceFlags {
  topic: string;
  port: number;
  name?: string;
  broker?: string;
  consul?: string;
  /** false adds --no-register. */
  register?: boolean;
  checkInterval?: string;
  logLevel?: string;
}

export function serviceArgs({
  topic,
  port,
  name,
  broker = KAFKA,
  consul = CONSUL,
  register = true,
  checkInterval,
  logLevel,
}: ServiceFlags): string[] {
  return [
    ...['--topic', topic, '--broker', broker, '--consul', consul, '--port', String(port)],
    ...(name === undefined ? [] : ['--name', name]),
    ...(register ? [] : ['--no-register']),
    ...(checkInterval === undefined ? [] : ['--check-interval', checkInterval]),
    ...(logLevel === undefined ? [] : ['--log-level', logLevel]),
  ];
}
