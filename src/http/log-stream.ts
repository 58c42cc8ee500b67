// Where the server's log lines go: readable lines on a terminal, one JSON object a line otherwise
// (for log collectors). pino-pretty runs in-process, as a stream, so the bundle needs no worker.
import pino, { type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export function logStream(onTerminal: boolean): DestinationStream {
  return onTerminal
    ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    : pino.destination(1);
}
