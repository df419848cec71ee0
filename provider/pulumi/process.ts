/**
 * The Pulumi host process's one {@link CoreContext}: made from the stack
 * configuration that `configure` receives, on first use (so a malformed
 * setting fails the first operation with a clear message, not the host's
 * start), and replaced when `configure` brings new settings. Handlers get it
 * from here and pass it to the core explicitly.
 */
import { buildContext, type CoreContext } from "../core/context";
import type { ConfigReader } from "../config";
import { PULUMI_VOCABULARY } from "../core/vocabulary";

/** The host process's context holder. */
export interface PulumiProcess {
  /** Takes the stack configuration (from configure); drops the old context. */
  configure(config: ConfigReader): void;
  /** The context, built on first use. */
  context(): CoreContext;
}

/** Makes a holder; the Pulumi entry (provider/index.ts) makes one per host process. */
export function pulumiProcess(): PulumiProcess {
  let config: ConfigReader = () => undefined;
  let current: CoreContext | undefined;
  return {
    configure(reader) {
      config = reader;
      const old = current;
      current = undefined;
      void old?.close();
    },
    context() {
      current ??= buildContext({ config, words: PULUMI_VOCABULARY });
      return current;
    },
  };
}
