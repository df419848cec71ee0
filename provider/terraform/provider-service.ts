/**
 * The `tfplugin6.Provider` gRPC service: decodes requests, calls the
 * resource and ephemeral-resource modules, encodes answers and turns every
 * failure into a Terraform diagnostic (redacted, against its attribute).
 */
import type { ServiceImplementation, UnaryHandler } from "./grpc-server";
import * as adapter from "./destination-adapter";
import * as destination from "./destination-resource";
import { ResourceError, type Problem } from "./destination-resource";
import { openKeyCheck } from "./key-ephemeral";
import {
  DESTINATION_SCHEMA,
  DESTINATION_SCHEMA_ATTRIBUTES,
  DESTINATION_TYPE,
  KEY_SCHEMA,
  KEY_SCHEMA_ATTRIBUTES,
  KEY_TYPE,
  objectType,
  PROVIDER_SCHEMA,
  protocolSchema,
} from "./schemas";
import { decodeDynamic, decodeJson, encodeDynamic, UNKNOWN, type DynamicValue, type TfObject, type TfValue } from "./values";

const DESTINATION_OBJECT = objectType(DESTINATION_SCHEMA_ATTRIBUTES);
const DESTINATION_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(DESTINATION_SCHEMA_ATTRIBUTES.map((a) => a.name));

/** True when `object` has exactly the attributes `names` (no more, no fewer). */
function hasExactly(object: TfObject, names: ReadonlySet<string>): boolean {
  const keys = Object.keys(object);
  return keys.length === names.size && keys.every((k) => names.has(k));
}
const KEY_OBJECT = objectType(KEY_SCHEMA_ATTRIBUTES);

/** A diagnostic in the protocol's shape. */
interface Diagnostic {
  severity: number;
  summary: string;
  detail: string;
  attribute?: { steps: Array<{ attribute_name: string }> };
}

function diagnostic(problem: Problem): Diagnostic {
  const d: Diagnostic = { severity: problem.warning === true ? 2 : 1, summary: adapter.redactText(problem.message), detail: "" };
  if (problem.attribute !== undefined) d.attribute = { steps: [{ attribute_name: problem.attribute }] };
  return d;
}

function diagnosticsOf(error: unknown): Diagnostic[] {
  if (error instanceof ResourceError) return error.problems.map(diagnostic);
  return [diagnostic(adapter.describeError(error))];
}

function asObject(value: TfValue): TfObject | null {
  return value !== null && value !== UNKNOWN && typeof value === "object" && !Array.isArray(value) ? (value as TfObject) : null;
}

function unknownType(typeName: string): Diagnostic[] {
  return [diagnostic({ attribute: undefined, message: `This provider has no resource type ${typeName}.` })];
}

type Handler = UnaryHandler;

/**
 * Makes handlers of the session's calls: a handler's result is the answer; a throw becomes an
 * error diagnostic in `diagnosticsField`; warnings the rules gave during the call are added as
 * warning diagnostics (Terraform shows a plugin's stderr only in its debug log).
 */
function unaryOf(session: adapter.RulesSession) {
  return (run: (request: Record<string, unknown>, rules: adapter.RulesCall) => Promise<Record<string, unknown>>, diagnosticsField = "diagnostics"): Handler =>
    (call, callback) => {
      const rules = session.begin();
      const answer = (response: Record<string, unknown>): void => {
        const warnings = rules.warnings().map((message) => diagnostic({ attribute: undefined, message, warning: true }));
        if (warnings.length === 0) return callback(null, response);
        const given = response[diagnosticsField];
        callback(null, { ...response, [diagnosticsField]: [...(Array.isArray(given) ? (given as Diagnostic[]) : []), ...warnings] });
      };
      run(call.request, rules).then(answer, (error: unknown) => answer({ [diagnosticsField]: diagnosticsOf(error) }));
    };
}

function str(value: TfValue | undefined): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/** Options of {@link createProviderService}. */
export interface ProviderServiceOptions {
  /** Key validations carried between the provider processes of one Terraform run (default: none). */
  readonly validationCarry?: adapter.ValidationCarry | undefined;
}

/** Builds the service implementation. One per provider process. */
export function createProviderService(options: ProviderServiceOptions = {}): ServiceImplementation {
  let defaults: destination.ProviderDefaults = { pixelId: undefined };
  const session = new adapter.RulesSession(options.validationCarry);
  const unary = unaryOf(session);

  const capabilities = { plan_destroy: false, get_provider_schema_optional: true };
  // Built when asked for: Terraform asks one process per command (the capability above spares the others).
  const schemaResponse = (): Record<string, unknown> => ({
    provider: protocolSchema(PROVIDER_SCHEMA),
    resource_schemas: {
      [DESTINATION_TYPE]: protocolSchema(DESTINATION_SCHEMA),
    },
    data_source_schemas: {},
    ephemeral_resource_schemas: { [KEY_TYPE]: protocolSchema(KEY_SCHEMA) },
    server_capabilities: capabilities,
  });

  return {
    GetMetadata: unary(async () => ({
      server_capabilities: capabilities,
      resources: [{ type_name: DESTINATION_TYPE }],
      ephemeral_resources: [{ type_name: KEY_TYPE }],
    })),
    GetProviderSchema: unary(async () => schemaResponse()),
    GetFunctions: unary(async () => ({})),
    ValidateProviderConfig: unary(async () => ({})),
    ValidateDataResourceConfig: unary(async (req) => ({ diagnostics: unknownType(String(req["type_name"])) })),
    ValidateResourceConfig: unary(async (req) => {
      if (req["type_name"] !== DESTINATION_TYPE) return { diagnostics: unknownType(String(req["type_name"])) };
      const config = asObject(decodeDynamic(req["config"] as DynamicValue));
      return { diagnostics: config === null ? [] : destination.validateConfig(config).map(diagnostic) };
    }),
    ValidateEphemeralResourceConfig: unary(async (req) => ({ diagnostics: req["type_name"] === KEY_TYPE ? [] : unknownType(String(req["type_name"])) })),

    ConfigureProvider: unary(async (req) => {
      const config = asObject(decodeDynamic(req["config"] as DynamicValue)) ?? {};
      const keys = asObject(config["api_keys"] ?? null);
      const apiKeys: Record<string, string> = {};
      if (keys !== null) for (const [pixel, key] of Object.entries(keys)) if (typeof key === "string") apiKeys[pixel] = key;
      const apiKey = str(config["api_key"]);
      adapter.registerCredential(apiKey);
      for (const key of Object.values(apiKeys)) adapter.registerCredential(key);
      try {
        const resolved = session.configure({
          apiKey,
          apiKeys: keys === null ? undefined : apiKeys,
          pixelId: str(config["pixel_id"]),
          apiUrl: str(config["api_url"]),
          klaviyoApiUrl: str(config["klaviyo_api_url"]),
        });
        defaults = { pixelId: resolved.defaultPixelId };
        return {};
      } catch (error) {
        const problem = adapter.describeError(error);
        const attribute = /api_keys/.test(problem.message) ? "api_keys" : problem.attribute;
        return { diagnostics: [diagnostic({ ...problem, attribute })] };
      }
    }),

    UpgradeResourceState: unary(async (req) => {
      if (req["type_name"] !== DESTINATION_TYPE) return { diagnostics: unknownType(String(req["type_name"])) };
      const raw = req["raw_state"] as { json?: Buffer } | undefined;
      const stored = raw?.json !== undefined && raw.json.length > 0 ? asObject(decodeJson(raw.json)) : null;
      // State written with the current schema (every attribute, nothing else) goes back as it came:
      // Terraform reads a DynamicValue's JSON as well as its msgpack. Other state is rebuilt below.
      if (stored !== null && hasExactly(stored, DESTINATION_ATTRIBUTE_NAMES)) return { upgraded_state: { json: raw!.json } };
      const state: Record<string, TfValue> = {};
      for (const a of DESTINATION_SCHEMA_ATTRIBUTES) state[a.name] = stored?.[a.name] ?? null;
      return { upgraded_state: encodeDynamic(state, DESTINATION_OBJECT) };
    }),

    ReadResource: unary(async (req, rules) => {
      const prior = asObject(decodeDynamic(req["current_state"] as DynamicValue));
      if (prior === null) return { new_state: req["current_state"] };
      const state = await destination.read(rules, prior);
      return { new_state: encodeDynamic(state, DESTINATION_OBJECT), private: req["private"] };
    }),

    PlanResourceChange: unary(async (req, rules) => {
      const prior = asObject(decodeDynamic(req["prior_state"] as DynamicValue));
      const proposed = asObject(decodeDynamic(req["proposed_new_state"] as DynamicValue));
      const config = asObject(decodeDynamic(req["config"] as DynamicValue));
      const result = await destination.plan(rules, prior, proposed, config, defaults);
      return {
        planned_state: encodeDynamic(result.planned, DESTINATION_OBJECT),
        requires_replace: result.requiresReplace.map((name) => ({ steps: [{ attribute_name: name }] })),
        planned_private: req["prior_private"],
        diagnostics: result.warnings.map(diagnostic),
      };
    }),

    ApplyResourceChange: unary(async (req, rules) => {
      const prior = asObject(decodeDynamic(req["prior_state"] as DynamicValue));
      const planned = asObject(decodeDynamic(req["planned_state"] as DynamicValue));
      const config = asObject(decodeDynamic(req["config"] as DynamicValue));
      try {
        const state = await destination.apply(rules, prior, planned, config);
        return { new_state: encodeDynamic(state, DESTINATION_OBJECT) };
      } catch (error) {
        // A failed create records nothing unless the destination exists anyway (partial create);
        // a failed update or delete keeps the prior state.
        const kept = error instanceof ResourceError && error.state !== undefined ? error.state : prior;
        return { new_state: encodeDynamic(kept, DESTINATION_OBJECT), diagnostics: diagnosticsOf(error) };
      }
    }),

    ImportResourceState: unary(async (req, rules) => {
      if (req["type_name"] !== DESTINATION_TYPE) return { diagnostics: unknownType(String(req["type_name"])) };
      const state = await destination.importByPixelId(rules, String(req["id"] ?? ""));
      return { imported_resources: [{ type_name: DESTINATION_TYPE, state: encodeDynamic(state, DESTINATION_OBJECT) }] };
    }),

    OpenEphemeralResource: unary(async (req, rules) => {
      if (req["type_name"] !== KEY_TYPE) return { diagnostics: unknownType(String(req["type_name"])) };
      const config = asObject(decodeDynamic(req["config"] as DynamicValue)) ?? {};
      const result = await openKeyCheck(rules, config);
      return { result: encodeDynamic(result, KEY_OBJECT) };
    }),
    RenewEphemeralResource: unary(async () => ({})),
    CloseEphemeralResource: unary(async () => ({})),

    StopProvider: unary(async () => ({})),
  };
}
