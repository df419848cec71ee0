/**
 * Klaviyo's own OpenAPI files. `spec/klaviyo/*.json` are byte copies of the per-operation files in
 * github.com/klaviyo/openapi (provenance and blob ids in `spec/klaviyo/README.md`; a test checks
 * them). Both the provider (pacing, the parameters it may send, the scope list) and the emulator
 * (tiers, parameter checks, scope sets) take these facts from here, so neither types them again.
 *
 * The facts the provider needs at run time (revisions, scopes, rate tiers, query parameters) come
 * from `./klaviyo-extract`, which `npm run gen:klaviyo-extract` derives from the files
 * ({@link extractKlaviyoSpec}); a test fails when the two drift. So a provider process never parses
 * the files' ~210 KB of JSON: an operation's whole document is read only when something asks for
 * it (the emulator's and the tests' answer validation).
 * @packageDocumentation
 */
import { KLAVIYO_SPEC_EXTRACT } from "./klaviyo-extract";
import { klaviyoSpecDir, readKlaviyoSpecFile } from "./klaviyo-files";

export { klaviyoSpecDir };

/** A JSON Schema object as the spec files write it (OpenAPI 3.0 dialect). */
export type SpecSchema = { readonly [keyword: string]: unknown };

/** One operation's rate tier, from its `x-klaviyo-ratelimit`. */
export interface SpecRateLimit {
  /** Requests allowed in any one second (`burst`, e.g. `1/s`). */
  readonly burstPerSecond: number;
  /** Requests allowed in any sixty seconds (`steady`, e.g. `15/m`). */
  readonly perMinute: number;
}

/** One query parameter an operation defines. */
export interface SpecQueryParameter {
  /** The parameter's name, e.g. `page[size]`. */
  readonly name: string;
  /** Its schema (integer with minimum/maximum, string, or array of enum strings). */
  readonly schema: SpecSchema;
  /** `explode: false`: an array is sent comma-separated in one value. */
  readonly commaSeparated: boolean;
}

/** One operation, as its spec file describes it. */
export interface SpecOperation {
  /** `operationId`, e.g. `get_accounts`. */
  readonly operationId: string;
  /** Lower-case HTTP method. */
  readonly method: string;
  /** The path template, e.g. `/api/api-keys/{id}`. */
  readonly path: string;
  /** The `revision` header's default: the revision this file describes. */
  readonly revision: string;
  /** True for a pre-release (beta) operation (`x-klaviyo-pre-release`). */
  readonly beta: boolean;
  /** The scopes the operation requires (`x-klaviyo-scopes`). */
  readonly scopes: readonly string[];
  /** The operation's rate tier (`x-klaviyo-ratelimit`). */
  readonly rateLimit: SpecRateLimit;
  /** The query parameters it defines, by name. Anything else is answered with a 400. */
  readonly queryParameters: ReadonlyMap<string, SpecQueryParameter>;
  /** The file it was read from, e.g. `get_accounts.json`. */
  readonly file: string;
  /** The whole spec document (for validating answers against its components); read on first use. */
  readonly document: SpecSchema;
}

/** One operation's facts as `./klaviyo-extract` holds them: {@link SpecOperation} without its document, its query parameters in the file's order. */
export type SpecOperationExtract = Omit<SpecOperation, "document" | "queryParameters"> & {
  /** The query parameters, in the file's order. */
  readonly queryParameters: readonly SpecQueryParameter[];
};

/** What `./klaviyo-extract` holds: every operation's facts and the scope list. */
export interface KlaviyoSpecExtract {
  /** Every operation in the files, in {@link KLAVIYO_SPEC_FILES} order. */
  readonly operations: readonly SpecOperationExtract[];
  /** Every scope a private key can hold. */
  readonly scopes: readonly string[];
}

/** The spec files the project relies on, read once by whoever needs them. */
export interface KlaviyoSpec {
  /** Every operation in the files. */
  readonly operations: readonly SpecOperation[];
  /** The operation for `method` and a concrete `path` (trailing slash ignored), if the files define one. */
  operation(method: string, path: string): SpecOperation | undefined;
  /** The operation with `operationId`; throws when the files have none (a packaging error). */
  byId(operationId: string): SpecOperation;
  /** Every scope a private key can hold: the enum of the api-keys listing's `scopes` attribute. */
  readonly scopes: readonly string[];
}

/** The spec files, in `spec/klaviyo/`. */
export const KLAVIYO_SPEC_FILES = [
  "get_accounts.json",
  "get_api_keys_beta.json",
  "get_api_key_beta.json",
  "update_api_key_beta.json",
  "get_metrics.json",
  "get_profiles.json",
  "get_events.json",
  "get_lists.json",
] as const;

/** Parses `1/s` or `15/m` into requests per second or per minute. */
export function parseRate(text: unknown, unit: "s" | "m", where: string): number {
  const m = typeof text === "string" ? /^(\d+)\/([sm])$/.exec(text.trim()) : null;
  if (!m || m[2] !== unit) throw new Error(`${where}: x-klaviyo-ratelimit ${JSON.stringify(text)} is not of the form N/${unit}`);
  return Number(m[1]);
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${where} is not an object`);
  return value as Record<string, unknown>;
}

function readOperations(file: string, document: Record<string, unknown>): SpecOperation[] {
  const out: SpecOperation[] = [];
  const paths = asRecord(document["paths"], `${file}: paths`);
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, raw] of Object.entries(asRecord(item, `${file}: ${path}`))) {
      const op = asRecord(raw, `${file}: ${method} ${path}`);
      const where = `${file}: ${op["operationId"] as string}`;
      const rate = asRecord(op["x-klaviyo-ratelimit"], `${where}: x-klaviyo-ratelimit`);
      const params = Array.isArray(op["parameters"]) ? (op["parameters"] as unknown[]) : [];
      const query = new Map<string, SpecQueryParameter>();
      let revision = "";
      for (const p of params) {
        const param = asRecord(p, `${where}: parameter`);
        const schema = asRecord(param["schema"], `${where}: parameter schema`);
        if (param["in"] === "query") {
          query.set(String(param["name"]), { name: String(param["name"]), schema, commaSeparated: param["explode"] === false });
        } else if (param["in"] === "header" && param["name"] === "revision") {
          revision = String(schema["default"] ?? "");
        }
      }
      out.push({
        operationId: String(op["operationId"]),
        method: method.toLowerCase(),
        path,
        revision,
        // Stable operations carry `"x-klaviyo-pre-release": "None"`, beta ones `"BETA"`.
        beta: typeof op["x-klaviyo-pre-release"] === "string" && op["x-klaviyo-pre-release"] !== "None",
        scopes: Array.isArray(op["x-klaviyo-scopes"]) ? (op["x-klaviyo-scopes"] as unknown[]).map(String) : [],
        rateLimit: { burstPerSecond: parseRate(rate["burst"], "s", where), perMinute: parseRate(rate["steady"], "m", where) },
        queryParameters: query,
        file,
        document,
      });
    }
  }
  return out;
}

function pathMatches(template: string, path: string): boolean {
  const t = template.replace(/\/+$/, "").split("/");
  const p = path.replace(/\/+$/, "").split("/");
  return t.length === p.length && t.every((seg, i) => (seg.startsWith("{") && seg.endsWith("}") ? (p[i] ?? "") !== "" : seg === p[i]));
}

/** Parses every spec file from `dir` (default {@link klaviyoSpecDir}, or the texts a bundle carries inline). */
function parseKlaviyoSpecFiles(dir?: string): { operations: SpecOperation[]; scopes: string[] } {
  const operations: SpecOperation[] = [];
  for (const file of KLAVIYO_SPEC_FILES) {
    const document = asRecord(JSON.parse(readKlaviyoSpecFile(file, dir)), file);
    operations.push(...readOperations(file, document));
  }
  const listing = operations.find((o) => o.operationId === "get_api_keys_beta");
  if (listing === undefined) throw new Error("Klaviyo's spec files define no operation get_api_keys_beta");
  return { operations, scopes: scopeEnum(listing.document) };
}

/**
 * The facts the provider needs, read from the spec files in `dir` (default: the package's): what
 * `npm run gen:klaviyo-extract` writes to `spec/klaviyo-extract.ts` and a test compares with it.
 */
export function extractKlaviyoSpec(dir?: string): KlaviyoSpecExtract {
  const { operations, scopes } = parseKlaviyoSpecFiles(dir);
  return {
    operations: operations.map(({ document: _document, queryParameters, ...facts }) => ({ ...facts, queryParameters: [...queryParameters.values()] })),
    scopes,
  };
}

function specFrom(operations: readonly SpecOperation[], scopes: readonly string[]): KlaviyoSpec {
  const byId = (operationId: string): SpecOperation => {
    const op = operations.find((o) => o.operationId === operationId);
    if (op === undefined) throw new Error(`Klaviyo's spec files define no operation ${operationId}`);
    return op;
  };
  return {
    operations,
    operation: (method, path) => operations.find((o) => o.method === method.toLowerCase() && pathMatches(o.path, path)),
    byId,
    scopes,
  };
}

/** The spec of an extract, each operation's document read from its file (in `dir`, or the package's) on first use. */
export function klaviyoSpecFromExtract(extract: KlaviyoSpecExtract, dir?: string): KlaviyoSpec {
  const documents = new Map<string, SpecSchema>();
  const documentOf = (file: string): SpecSchema => {
    let document = documents.get(file);
    if (document === undefined) {
      document = asRecord(JSON.parse(readKlaviyoSpecFile(file, dir)), file);
      documents.set(file, document);
    }
    return document;
  };
  const operations = extract.operations.map((facts): SpecOperation => {
    const queryParameters = new Map(facts.queryParameters.map((p) => [p.name, p]));
    return {
      ...facts,
      queryParameters,
      get document(): SpecSchema {
        return documentOf(facts.file);
      },
    };
  });
  return specFrom(operations, extract.scopes);
}

/**
 * The spec. Without `dir`: the facts of `./klaviyo-extract` (generated from the package's files),
 * each operation's whole document read on first use. With `dir`: every file in it, parsed now.
 */
export function loadKlaviyoSpec(dir?: string): KlaviyoSpec {
  if (dir === undefined) return klaviyoSpecFromExtract(KLAVIYO_SPEC_EXTRACT);
  const { operations, scopes } = parseKlaviyoSpecFiles(dir);
  return specFrom(operations, scopes);
}

function scopeEnum(document: SpecSchema): string[] {
  const components = asRecord(document["components"], "get_api_keys_beta.json: components");
  const schemas = asRecord(components["schemas"], "get_api_keys_beta.json: schemas");
  const resource = asRecord(schemas["ApiKeyResponseObjectResource"], "ApiKeyResponseObjectResource");
  const attributes = asRecord(asRecord(resource["properties"], "properties")["attributes"], "attributes");
  const scopes = asRecord(asRecord(attributes["properties"], "attributes.properties")["scopes"], "scopes");
  const items = asRecord(scopes["items"], "scopes.items");
  if (!Array.isArray(items["enum"])) throw new Error("get_api_keys_beta.json: the scopes attribute has no enum");
  return (items["enum"] as unknown[]).map(String);
}
