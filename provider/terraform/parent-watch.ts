/**
 * Ends the provider when the Terraform that started it is gone. Terraform shuts
 * its providers down itself (go-plugin's Shutdown); when it is killed instead
 * (SIGKILL, an out-of-memory kill, a CI job's timeout), nothing would, and an
 * idle provider would wait for that Shutdown for ever, holding its socket.
 * go-plugin's own servers have the same gap (hashicorp/go-plugin#210).
 *
 * On POSIX systems a process whose parent exits is re-parented (to init or a
 * subreaper), so its parent process id changes: that is the sign watched for.
 * Windows keeps the old parent id, so there the watch never fires.
 */

/** What {@link watchParent} needs. */
export interface ParentWatchOptions {
  /** The current parent process id (`() => process.ppid`). */
  readonly parentPid: () => number;
  /** How often to look, in ms. */
  readonly intervalMs: number;
  /** Called once, when the parent has changed. */
  readonly onOrphaned: () => void;
}

/**
 * Looks at the parent process id every `intervalMs` and calls `onOrphaned` once it differs from
 * the one at the start. The timer never keeps the process alive.
 */
export function watchParent(options: ParentWatchOptions): void {
  const parent = options.parentPid();
  const timer = setInterval(() => {
    if (options.parentPid() === parent) return;
    clearInterval(timer);
    options.onOrphaned();
  }, options.intervalMs);
  timer.unref();
}
