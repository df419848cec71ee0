/**
 * The conformance kit: black-box checks of the Upstack destination contract against any server.
 * @packageDocumentation
 */
export { runConformance } from "./runner";
export type { ConformanceOptions, ConformanceReport, CheckResult } from "./runner";
export { CONFORMANCE_CHECKS } from "./checks";
export type { ConformanceCheck } from "./checks";
export { renderJson, renderText } from "./report";
export { runConformanceCommand, upstackKeyArgumentIndex, UPSTACK_KEY_ENV_VAR, UPSTACK_KEY_IN_ARGV_MESSAGE, CONFORMANCE_HELP } from "./command";
export type { ConformanceFlags } from "./command";
export type { KitExchange, KitAnswer, KitRequest } from "./http-client";
