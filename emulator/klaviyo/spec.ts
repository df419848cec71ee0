/**
 * What the emulated Klaviyo takes from Klaviyo's own spec files (spec/klaviyo): the operations it
 * serves, their scopes, revisions and rate tiers, the scopes a key can hold, and the query
 * parameters each operation accepts, checked with a JSON Schema validator (ajv) against the
 * parameter's schema in the files.
 * @packageDocumentation
 */
import Ajv, { type ValidateFunction } from "ajv";
import { loadKlaviyoSpec, type KlaviyoSpec, type SpecOperation } from "../../spec/klaviyo";

/** Klaviyo's spec files as the emulator uses them (read once when this module loads; immutable). */
export const EMULATED_SPEC: KlaviyoSpec = loadKlaviyoSpec();

/**
 * Parameters an operation accepts beyond its spec file. The api-keys listing's answers carry
 * `links.next` (CollectionLinks) but its file defines no cursor parameter; the emulator puts
 * Klaviyo's usual `page[cursor]` in that link and accepts it back there.
 */
const EXTRA_PARAMETERS: Readonly<Record<string, readonly string[]>> = { get_api_keys_beta: ["page[cursor]"] };

/** A query parameter Klaviyo would refuse: its name and why. */
export interface ParameterProblem {
  /** The parameter as sent. */
  readonly parameter: string;
  /** Klaviyo-style detail. */
  readonly detail: string;
}

const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(op: SpecOperation, name: string, schema: object): ValidateFunction {
  const key = `${op.operationId} ${name}`;
  let v = compiled.get(key);
  if (v === undefined) {
    v = ajv.compile(schema);
    compiled.set(key, v);
  }
  return v;
}

/** The query's value as the parameter's schema types it: comma-separated arrays split, integers as numbers. */
function typed(schema: Readonly<Record<string, unknown>>, commaSeparated: boolean, raw: string): unknown {
  if (schema["type"] === "array") return commaSeparated ? raw.split(",") : [raw];
  if (schema["type"] === "integer" || schema["type"] === "number") return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
  return raw;
}

/** The first query parameter `op` does not define, or whose value its schema refuses. */
export function queryProblem(op: SpecOperation, query: URLSearchParams): ParameterProblem | undefined {
  for (const [name, raw] of query) {
    const param = op.queryParameters.get(name);
    if (param === undefined) {
      if (EXTRA_PARAMETERS[op.operationId]?.includes(name)) continue;
      return { parameter: name, detail: `'${name}' is not a valid parameter for this endpoint.` };
    }
    const validate = validatorFor(op, name, param.schema);
    if (!validate(typed(param.schema, param.commaSeparated, raw))) {
      const e = validate.errors?.[0];
      const where = e?.instancePath ? ` (${e.instancePath})` : "";
      return { parameter: name, detail: `Invalid value for '${name}'${where}: ${e?.message ?? "not allowed"}.` };
    }
  }
  return undefined;
}

/** Every `:read` scope of the spec's list. */
export function readScopes(spec: KlaviyoSpec = EMULATED_SPEC): string[] {
  return spec.scopes.filter((s) => s.endsWith(":read"));
}
