/**
 * Checks Klaviyo answers against Klaviyo's own OpenAPI files (spec/klaviyo) with a real JSON
 * Schema validator (ajv + ajv-formats; OpenAPI 3.0's `nullable` is an ajv keyword; `$ref`s are
 * resolved inside each spec document). Used by the conformance test and, through jest's
 * global set-up and tear-down, on every answer the emulators of a test run gave.
 */
import { readFileSync } from "node:fs";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { KlaviyoAnswerRecord } from "../../emulator";
import { loadKlaviyoSpec, type KlaviyoSpec, type SpecOperation } from "../../spec/klaviyo";

/** The verdict on one answer. */
export type AnswerVerdict =
  { readonly kind: "valid" } | { readonly kind: "skipped"; readonly why: string } | { readonly kind: "invalid"; readonly errors: string };

/** What a validator needs of an answer. */
export type AnswerToCheck = Pick<KlaviyoAnswerRecord, "operationId" | "method" | "path" | "status" | "contentType" | "body" | "customBody">;

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `type: [t, "null"]` (and `null` added to an
 * `enum`) beside a type; `anyOf: [schema, {type: "null"}]` where there is none (`$ref`, `oneOf`).
 */
export function withNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withNullable);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "example" ? v : withNullable(v);
  if (out["nullable"] !== true) return out;
  delete out["nullable"];
  if (typeof out["type"] === "string") {
    out["type"] = [out["type"], "null"];
    if (Array.isArray(out["enum"])) out["enum"] = [...(out["enum"] as unknown[]), null];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}

/** Builds a validator of Klaviyo answers from the spec files. */
export function klaviyoAnswerValidator(spec: KlaviyoSpec = loadKlaviyoSpec()): (answer: AnswerToCheck) => AnswerVerdict {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const files = new Map<string, SpecOperation>();
  for (const op of spec.operations) {
    if (!files.has(op.file)) {
      files.set(op.file, op);
      ajv.addSchema({ ...(withNullable(op.document) as object), $id: `klaviyo:${op.file}` });
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  const validatorAt = (file: string, pointer: string): ValidateFunction => {
    const ref = `klaviyo:${file}#${pointer}`;
    let v = compiled.get(ref);
    if (v === undefined) {
      v = ajv.compile({ $ref: ref });
      compiled.set(ref, v);
    }
    return v;
  };
  const responsePointer = (op: SpecOperation, status: number): string | undefined => {
    const paths = op.document["paths"] as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    const responses = paths[op.path]?.[op.method]?.responses ?? {};
    const key = String(status) in responses ? String(status) : `${String(status)[0]}XX` in responses ? `${String(status)[0]}XX` : undefined;
    if (key === undefined) return undefined;
    const r = responses[key] as { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> };
    if (r.$ref !== undefined) return `${r.$ref.slice(1)}/content/application~1vnd.api+json/schema`;
    const ref = r.content?.["application/vnd.api+json"]?.schema?.$ref;
    return ref === undefined
      ? `/paths/${op.path.replace(/~/g, "~0").replace(/\//g, "~1")}/${op.method}/responses/${key}/content/application~1vnd.api+json/schema`
      : ref.slice(1);
  };
  const anyFile = spec.operations[0]!.file;

  return (answer) => {
    if (answer.customBody) return { kind: "skipped", why: "a body chosen by the test (fault rule)" };
    if (!/json/.test(answer.contentType)) return { kind: "skipped", why: "not JSON: a CDN page, not an answer of Klaviyo's API" };
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return { kind: "invalid", errors: "the body is not JSON although its content type says so" };
    }
    const op = answer.operationId === undefined ? undefined : spec.byId(answer.operationId);
    let validate: ValidateFunction;
    if (op !== undefined) {
      const pointer = responsePointer(op, answer.status);
      if (pointer === undefined) return { kind: "invalid", errors: `${op.operationId} defines no response for HTTP ${answer.status}` };
      validate = validatorAt(op.file, pointer);
    } else if (answer.status >= 400) {
      // No operation there (unknown path, method not allowed): Klaviyo's common error shape.
      validate = validatorAt(anyFile, `/components/responses/${answer.status >= 500 ? "ServerError" : "ClientError"}/content/application~1vnd.api+json/schema`);
    } else {
      return { kind: "invalid", errors: `HTTP ${answer.status} for ${answer.method} ${answer.path}, which no spec operation defines` };
    }
    if (validate(body)) return { kind: "valid" };
    return { kind: "invalid", errors: ajv.errorsText(validate.errors, { dataVar: "body" }) };
  };
}

/** The outcome of checking an answer log. */
export interface AnswerLogCheck {
  /** Answers validated against the spec. */
  readonly checked: number;
  /** Answers not validated, with why (CDN pages, bodies chosen by tests). */
  readonly skipped: number;
  /** Answers that do not conform, described. */
  readonly problems: readonly string[];
}

/** Checks every answer recorded in `file` (one JSON line each; see emulator/klaviyo/answer-log.ts). */
export function checkAnswerLog(file: string): AnswerLogCheck {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return { checked: 0, skipped: 0, problems: [] };
  }
  const validate = klaviyoAnswerValidator();
  let checked = 0;
  let skipped = 0;
  const problems: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const answer = JSON.parse(line) as KlaviyoAnswerRecord;
    const verdict = validate(answer);
    if (verdict.kind === "skipped") skipped++;
    else checked++;
    if (verdict.kind === "invalid") {
      problems.push(`${answer.method} ${answer.path}${answer.query ? `?${answer.query}` : ""} → HTTP ${answer.status}: ${verdict.errors}`);
    }
  }
  return { checked, skipped, problems };
}
