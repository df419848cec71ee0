/**
 * The destination's rules, engine-neutral: the one public entry for every
 * engine binding (the Pulumi dynamic provider in provider/pulumi/, the
 * Terraform provider, the `upstack-klaviyo` command line). Build a
 * {@link CoreContext} with {@link buildContext}, then call the plain typed
 * functions with it; nothing here keeps state between calls except what the
 * context holds.
 *
 * @example
 * ```ts
 * const ctx = buildContext({ words: TERRAFORM_VOCABULARY, config: (k) => providerBlock[k] });
 * const parsed = parseDesired(raw, { defaultPixelId: ctx.settings.pixelId, words: ctx.words });
 * const plan = planChanges(parsePrior(priorState), parsed.values);
 * if (parsed.desired) await createDestination(ctx, parsed.desired);
 * ```
 * @packageDocumentation
 */
export { buildContext, describeRetry, withLogger, type BuildContextOptions, type Clock, type CoreContext } from "./context";
export {
  CLI_VOCABULARY,
  PULUMI_VOCABULARY,
  TERRAFORM_VOCABULARY,
  settingEnvVar,
  terraformSettingName,
  type EngineName,
  type SettingName,
  type Vocabulary,
} from "./vocabulary";
export {
  DESTINATION_INPUTS,
  DESTINATION_OUTPUTS,
  INPUT_NAMES,
  OUTPUT_NAMES,
  PUBLIC_OUTPUT_NAMES,
  REPLACING_INPUT_NAMES,
  SECRET_INPUT_NAMES,
  type DestinationOutputs,
  type InputName,
  type InputSpec,
  type OutputName,
  type OutputSpec,
  type PropertyType,
  type PublicOutputName,
  type UserInputName,
  type ValueOf,
} from "./shape";
export {
  DEFAULT_LABEL,
  UNKNOWN,
  inputSchemas,
  isUnknown,
  normalizeScopes,
  parseDesired,
  requireDesired,
  type DesiredParse,
  type DesiredState,
  type InputFailure,
  type InputSchemas,
  type RawInputs,
} from "./inputs";
export { parsePrior, type KnownValidation, type PriorState } from "./prior";
export { planChanges, type ChangePlan } from "./plan";
export { buildOutputs } from "./outputs";
export {
  MANAGED_INPUTS,
  checkDesired,
  createDestination,
  deleteDestination,
  readDestination,
  registerInputSecrets,
  updateDestination,
  validateDesired,
  type CheckOutcome,
  type CreatedDestination,
  type ReadDestination,
} from "./lifecycle";
export { accessRequirement, describeRequirement, UPSTACK_MINIMUM_SCOPES, type AccessRequirement } from "../klaviyo/access";
export type { KeyValidation, ValidationCarry, ValidationTarget } from "../klaviyo/key-validator";
export { ERROR_CATALOGUE, UpstackKlaviyoError, type ErrorCode, type ErrorCatalogueEntry } from "../errors";
export { envReader, upstackCredentials, type ConfigReader, type ProviderSettings, type SettingOverrides, type UpstackCredentials } from "../config";
export { createLogger, type Logger, type LoggerOptions } from "../log";
export { redact, registerSecret } from "../redact";
export type { HttpRequest, HttpResponse, Transport, TransportEvent } from "../transport/http-transport";
export { keyFingerprint, keyHint } from "../fingerprint";
