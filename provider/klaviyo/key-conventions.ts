/**
 * Conventions that are advice, never errors: Upstack's guide names the Klaviyo key `UpstackData`,
 * so that whoever looks at the account's keys in Klaviyo knows what uses it (and does not disable
 * it by mistake).
 */
import { PULUMI_VOCABULARY, type Vocabulary } from "../core/vocabulary";

/** The key name Upstack's guide gives the Klaviyo private key. */
export const CONVENTIONAL_KEY_NAME = "UpstackData";

/** The warning for a key whose Klaviyo name is not the conventional one, or undefined. */
export function keyNameWarning(name: string | undefined, hint: string, words: Vocabulary = PULUMI_VOCABULARY): string | undefined {
  if (name === undefined || name === CONVENTIONAL_KEY_NAME) return undefined;
  return `${words.property("privateApiKey")}: the Klaviyo key ${hint} is named ${JSON.stringify(name.slice(0, 100))} in Klaviyo; Upstack's guide names it ${CONVENTIONAL_KEY_NAME} so that people managing the account's keys know Upstack Data uses it. This is a convention, not a requirement: rename the key in Klaviyo (Settings → Account → API Keys), or ignore this warning.`;
}

/** Emits each distinct warning once per provider process. */
export class OnceWarnings {
  /**
   * @param emit - writes a warning (the provider's logger).
   * @param seen - what was emitted already (shared by {@link OnceWarnings.through}'s views).
   */
  constructor(
    private readonly emit: (message: string) => void,
    private readonly seen: Set<string> = new Set<string>(),
  ) {}

  /** The same record of what was emitted, emitting through `emit` instead (one engine call's warnings). */
  through(emit: (message: string) => void): OnceWarnings {
    return new OnceWarnings(emit, this.seen);
  }

  /** Emits `message` unless it was emitted before; undefined does nothing. */
  warn(message: string | undefined): void {
    if (message === undefined || this.seen.has(message)) return;
    this.seen.add(message);
    this.emit(message);
  }
}
