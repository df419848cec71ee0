/**
 * Local emulator of the Klaviyo endpoints the provider calls and of the Upstack Klaviyo destination
 * contract, with an admin API for tests, demos and users.
 *
 * ```ts
 * const emu = await startEmulator();
 * const { key } = await emu.admin.createKlaviyoAccountWithKey();
 * process.env.KLAVIYO_API_URL = emu.url;
 * process.env.UPSTACK_API_URL = emu.url;
 * // ...
 * await emu.close();
 * ```
 * @packageDocumentation
 */
export { startEmulator, MAX_BODY_BYTES } from "./server";
export type { RunningEmulator, EmulatorFaults } from "./server";
export { EmulatorAdminClient, EmulatorAdminError } from "./admin-client";
export { runEmulatorCli } from "./cli";
export type { EmulatorCliIo } from "./cli";
export { KLAVIYO_SCOPES, KLAVIYO_READ_SCOPES, scopesFor } from "./klaviyo/scopes";
export type { KlaviyoScope } from "./klaviyo/scopes";
export { OLDEST_REVISION, LATEST_REVISION } from "./klaviyo/revision";
export { KLAVIYO_DEFAULT_RATE_LIMITS } from "./rate-limit";
export { KLAVIYO_ANSWER_LOG_ENV } from "./klaviyo/answer-log";
export type { KlaviyoAnswerRecord } from "./klaviyo/answer-log";
export { API_KEYS_PAGE_SIZE } from "./klaviyo/routes";
export { UNHEALTHY_REASON, DEFAULT_UPSTACK_SCOPES } from "./upstack/model";
export { KLAVIYO_DESTINATION_PATH, UPSTACK_DEFAULT_RATE_LIMIT_PER_MINUTE, IDEMPOTENCY_TTL_MS } from "./upstack/routes";
export { UPSTACK_WRONG_READINGS } from "./upstack/wrong-readings";
export type { UpstackWrongReading } from "./upstack/wrong-readings";
export { fakeKlaviyoPrivateKey, fakeKlaviyoAccountId, fakeUpstackApiKey, keyFingerprint, keyHint } from "./keys";
export type * from "./types";
