import type { Logger } from '../log/logger.js';
import type { IdpEvent, StoredEvent } from './event.js';

/** Where events are kept (the store's event log); declared here so that events know nothing of the store. */
export interface EventLog {
  append(event: IdpEvent): Promise<StoredEvent>;
}

export type RecordEvent = (event: IdpEvent) => Promise<void>;

/**
 * Appends to the event log and writes the same event to the structured log. A failed append is logged, not thrown:
 * the sign-in that caused the event has already happened and must not be undone by bookkeeping.
 */
export function createEventRecorder(
  events: EventLog,
  logger: Logger,
  listeners: readonly ((event: StoredEvent) => void | Promise<void>)[] = [],
): RecordEvent {
  const log = logger.child({ component: 'events' });
  return async (event) => {
    try {
      const stored = await events.append(event);
      log.info({ event: stored }, event.type);
      for (const listener of listeners) {
        try {
          await listener(stored);
        } catch (error) {
          log.error({ event: stored, err: error }, `a listener failed on the ${event.type} event`);
        }
      }
    } catch (error) {
      log.error({ event, err: error }, `could not append ${event.type} event`);
    }
  };
}
