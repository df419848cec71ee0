/**
 * Checks one Upstack request or answer against openapi/upstack-klaviyo-destination.json with ajv
 * (JSON Schema 2020-12, the dialect of OpenAPI 3.1) and ajv-formats. The document is the only
 * source: operations, parameters, documented statuses, required headers and body schemas are all
 * read from it. Used by the conformance kit and by the tests that watch the provider's and the
 * emulator's traffic; the provider itself never loads it.
 * @packageDocumentation
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

/** Where the contract lives, relative to the package root. */
export const CONTRACT_FILE = join("openapi", "upstack-klaviyo-destination.json");

/** A request as sent on the wire. */
export interface ContractRequest {
  /** `GET`, `PUT` or `DELETE`. */
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** Query parameters. */
  readonly query?: Readonly<Record<string, string>>;
  /** Request headers (any case). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body text, when one was sent. */
  readonly body?: string | undefined;
}

/** An answer as received on the wire. */
export interface ContractResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers (any case). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body text ("" when none). */
  readonly body: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const SCHEMAS_ID = "https://pulumi-upstack-klaviyo.invalid/openapi/upstack-klaviyo-destination.json";

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Rewrites `#/components/schemas/X` to an absolute reference into the registered schema set. */
function rewriteRefs(v: Json): Json {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] =
      k === "$ref" && typeof x === "string" && x.startsWith("#/components/schemas/")
        ? `${SCHEMAS_ID}#/$defs/${x.slice("#/components/schemas/".length)}`
        : rewriteRefs(x);
  }
  return out;
}

function lowerKeys(h: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(";")[0]?.trim().toLowerCase();
}

/** Finds the contract file above `start` (works from the sources and from dist/). */
export function findContractFile(start: string = __dirname): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const file = join(dir, CONTRACT_FILE);
    if (existsSync(file)) return file;
    dir = dirname(dir);
  }
  throw new Error(`Could not find ${CONTRACT_FILE} above ${start}.`);
}

/** Validates requests and answers against the contract. Build once; compiled schemas are cached. */
export class ContractValidator {
  private readonly ajv: Ajv2020;
  private readonly doc: JsonObject;
  private readonly compiled = new Map<string, ValidateFunction>();

  /** @param doc - the OpenAPI document (defaults to the package's own). */
  constructor(doc?: unknown) {
    this.doc = (doc ?? JSON.parse(readFileSync(findContractFile(), "utf8"))) as JsonObject;
    this.ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
    addFormats(this.ajv, ["uuid", "date-time"]);
    const components = this.doc["components"];
    const schemas = isObject(components) ? components["schemas"] : undefined;
    this.ajv.addSchema({ $id: SCHEMAS_ID, $defs: rewriteRefs(isObject(schemas) ? schemas : {}) } as object);
  }

  /** Whether the contract has an operation for `method` on `path`. */
  hasOperation(method: string, path: string): boolean {
    return typeof this.operation(method, path) !== "string";
  }

  /** Problems with a request (empty when it conforms). */
  validateRequest(req: ContractRequest): string[] {
    const op = this.operation(req.method, req.path);
    if (typeof op === "string") return [op];
    const problems: string[] = [];
    const headers = lowerKeys(req.headers);
    const where = `${req.method} ${req.path}`;
    for (const [name, scheme] of Object.entries(this.securityHeaders())) {
      if (headers[name] === undefined || headers[name] === "") problems.push(`${where}: header ${scheme} (security) is missing`);
    }
    for (const p of this.parameters(op.pathItem, op.operation)) {
      const name = String(p["name"]);
      const value = p["in"] === "header" ? headers[name.toLowerCase()] : p["in"] === "query" ? req.query?.[name] : undefined;
      if (value === undefined) {
        if (p["required"] === true) problems.push(`${where}: required ${String(p["in"])} parameter ${name} is missing`);
        continue;
      }
      problems.push(...this.check(p["schema"], value, `${where} ${String(p["in"])} parameter ${name}`));
    }
    const rb = this.deref(op.operation["requestBody"]);
    if (isObject(rb)) {
      const content = rb["content"];
      if (req.body === undefined || req.body === "") {
        if (rb["required"] === true) problems.push(`${where}: the request body is required`);
      } else if (isObject(content)) {
        const type = mediaType(headers["content-type"]);
        const media = type === undefined ? undefined : content[type];
        if (!isObject(media)) problems.push(`${where}: Content-Type ${headers["content-type"] ?? "(none)"} is not one of ${Object.keys(content).join(", ")}`);
        else problems.push(...this.checkJson(media["schema"], req.body, `${where} request body`));
      }
    } else if (req.body !== undefined && req.body !== "") {
      problems.push(`${where}: the operation takes no body`);
    }
    return problems;
  }

  /** Problems with the answer to a `method` request on `path` (empty when it conforms). */
  validateResponse(method: string, path: string, res: ContractResponse): string[] {
    const op = this.operation(method, path);
    if (typeof op === "string") return [op];
    const where = `${method} ${path} → ${res.status}`;
    const responses = op.operation["responses"];
    if (!isObject(responses)) return [`${where}: the operation documents no responses`];
    const documented = responses[String(res.status)] ?? responses[`${String(res.status)[0] ?? ""}XX`] ?? responses["default"];
    const response = this.deref(documented);
    if (!isObject(response)) return [`${where}: status ${res.status} is not documented for ${method} ${path}`];
    const problems: string[] = [];
    const headers = lowerKeys(res.headers);
    const declared = response["headers"];
    if (isObject(declared)) {
      for (const [name, h0] of Object.entries(declared)) {
        const h = this.deref(h0);
        if (!isObject(h)) continue;
        const value = headers[name.toLowerCase()];
        if (value === undefined) {
          if (h["required"] === true) problems.push(`${where}: required header ${name} is missing`);
          continue;
        }
        problems.push(...this.check(h["schema"], value, `${where} header ${name}`));
      }
    }
    const content = response["content"];
    if (isObject(content)) {
      const type = mediaType(headers["content-type"]);
      const media = type === undefined ? undefined : content[type];
      if (!isObject(media)) problems.push(`${where}: Content-Type ${headers["content-type"] ?? "(none)"} is not one of ${Object.keys(content).join(", ")}`);
      else problems.push(...this.checkJson(media["schema"], res.body, `${where} body`));
    } else if (res.body !== "") {
      problems.push(`${where}: a body was sent where the contract documents none`);
    }
    return problems;
  }

  /** The stable `code` values the contract allows for `status` on `method` (empty when none is documented). */
  errorCodes(method: string, path: string, status: number): string[] {
    const op = this.operation(method, path);
    if (typeof op === "string") return [];
    const responses = op.operation["responses"];
    if (!isObject(responses)) return [];
    const response = this.deref(responses[String(status)] ?? responses[`${String(status)[0] ?? ""}XX`]);
    const content = isObject(response) ? response["content"] : undefined;
    const media = isObject(content) ? content["application/json"] : undefined;
    const codes: string[] = [];
    const walk = (s: Json | undefined): void => {
      if (Array.isArray(s)) s.forEach(walk);
      else if (isObject(s)) {
        const code = isObject(s["properties"]) ? s["properties"]["code"] : undefined;
        if (isObject(code)) {
          if (typeof code["const"] === "string") codes.push(code["const"]);
          if (Array.isArray(code["enum"])) for (const c of code["enum"]) if (typeof c === "string") codes.push(c);
        }
        for (const v of Object.values(s)) walk(v);
      }
    };
    walk(isObject(media) ? media["schema"] : undefined);
    return [...new Set(codes)];
  }

  private operation(method: string, path: string): { pathItem: JsonObject; operation: JsonObject } | string {
    const paths = this.doc["paths"];
    const pathItem = isObject(paths) ? paths[path] : undefined;
    if (!isObject(pathItem)) return `${method} ${path}: the path is not in the contract`;
    const operation = pathItem[method.toLowerCase()];
    if (!isObject(operation)) return `${method} ${path}: the method is not in the contract`;
    return { pathItem, operation };
  }

  private securityHeaders(): Record<string, string> {
    const out: Record<string, string> = {};
    const components = this.doc["components"];
    const schemes = isObject(components) ? components["securitySchemes"] : undefined;
    const security = this.doc["security"];
    if (!isObject(schemes) || !Array.isArray(security)) return out;
    for (const requirement of security) {
      if (!isObject(requirement)) continue;
      for (const name of Object.keys(requirement)) {
        const s = schemes[name];
        if (isObject(s) && s["in"] === "header" && typeof s["name"] === "string") out[s["name"].toLowerCase()] = s["name"];
      }
    }
    return out;
  }

  private parameters(pathItem: JsonObject, operation: JsonObject): JsonObject[] {
    const list = [
      ...(Array.isArray(pathItem["parameters"]) ? pathItem["parameters"] : []),
      ...(Array.isArray(operation["parameters"]) ? operation["parameters"] : []),
    ];
    return list.map((p) => this.deref(p)).filter(isObject);
  }

  private deref(v: Json | undefined): Json | undefined {
    let cur = v;
    for (let i = 0; i < 10 && isObject(cur) && typeof cur["$ref"] === "string"; i++) {
      const ref = cur["$ref"];
      if (!ref.startsWith("#/")) return undefined;
      let node: Json | undefined = this.doc;
      for (const part of ref.slice(2).split("/")) node = isObject(node) ? node[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
      cur = node;
    }
    return cur;
  }

  private validator(schema: Json): ValidateFunction {
    const key = JSON.stringify(schema);
    let fn = this.compiled.get(key);
    if (fn === undefined) {
      fn = this.ajv.compile(rewriteRefs(schema) as object);
      this.compiled.set(key, fn);
    }
    return fn;
  }

  private check(schema: Json | undefined, value: unknown, what: string): string[] {
    if (schema === undefined) return [];
    const fn = this.validator(schema);
    if (fn(value)) return [];
    return (fn.errors ?? []).map((e) => `${what}${e.instancePath === "" ? "" : ` ${e.instancePath}`} ${e.message ?? "is invalid"}`);
  }

  private checkJson(schema: Json | undefined, text: string, what: string): string[] {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      return [`${what} is not JSON`];
    }
    return this.check(schema, value, what);
  }
}
