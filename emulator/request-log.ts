/**
 * The request log (bounded; admin calls and secrets are never recorded).
 * @packageDocumentation
 */
import type { RequestFilter, RequestLogEntry } from "./types";

/** Most entries kept; older ones are dropped. */
export const REQUEST_LOG_LIMIT = 10_000;

/** An append-only, bounded log of emulated-service requests. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  /** Appends an entry and returns it (its status may be filled in later). */
  add(entry: Omit<RequestLogEntry, "seq">): RequestLogEntry {
    const e: RequestLogEntry = { seq: ++this.seq, ...entry };
    this.entries.push(e);
    if (this.entries.length > REQUEST_LOG_LIMIT) this.entries.splice(0, this.entries.length - REQUEST_LOG_LIMIT);
    return e;
  }

  /** Entries, oldest first, optionally for one service (copies). */
  list(filter: RequestFilter = {}): RequestLogEntry[] {
    return this.entries.filter((e) => filter.service === undefined || e.service === filter.service).map((e) => ({ ...e }));
  }

  /** Removes every entry (sequence numbers keep increasing). */
  clear(): void {
    this.entries = [];
  }
}
