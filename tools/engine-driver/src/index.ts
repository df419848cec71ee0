// Engine test driver: runs Pulumi programs and drives the real Node dynamic-provider host the way
// the Pulumi engine does. See ../README.md.
export { Engine } from "./engine";
export type {
  AfterCallContext,
  CallContext,
  CallRecord,
  ConfigValue,
  Deployment,
  EngineHooks,
  EngineOptions,
  Op,
  PendingOperation,
  ResourceOptions,
  ResourceSummary,
  RunResult,
  StateFile,
  StateResource,
  StepOp,
} from "./engine";
export { readProjectName } from "./engine";
export { ProviderHost, RpcError, HOST_SCRIPT, hostScriptFor, decodeError } from "./host";
export type { CheckFailure, CheckResult, DiffResult, HostOptions, RpcMethod } from "./host";
export { runProgram } from "./program";
export type { ProgramRunOptions, ProgramRunResult, RegisterMessage } from "./program";
export {
  SIG_KEY,
  SECRET_SIG,
  UNKNOWN,
  SecretsManager,
  containsSecret,
  containsUnknown,
  findSecrets,
  isSecret,
  secretPlaintexts,
  unwrapSecrets,
  wrapSecret,
} from "./secrets";
export type { Json, JsonObject, SecretOccurrence } from "./secrets";
export { pulumiCliAvailable, skipReasonWithoutPulumi } from "./automation";
