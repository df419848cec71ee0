/**
 * Klaviyo's own OpenAPI files (byte copies in spec/klaviyo/) as a real JSON Schema validator
 * (ajv): validates an answer against the operation's response schema for its status (200, or the
 * ClientError / ServerError schemas for 4XX / 5XX), and a request body against the operation's
 * requestBody schema. OpenAPI 3.0's `nullable` is ajv's own keyword; `example` is declared as an
 * annotation.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { klaviyoSpecDir } from "../../spec/klaviyo";

/** Where the spec copies live. */
export const KLAVIYO_OPENAPI_DIR = klaviyoSpecDir();

type Json = Record<string, unknown>;

/** One operation of one spec file. */
export interface SpecOperation {
  /** The whole file. */
  readonly doc: Json;
  /** The operation object. */
  readonly op: Json;
  /** `x-klaviyo-ratelimit`. */
  readonly rateLimit: { burst: string; steady: string };
  /** `x-klaviyo-scopes`. */
  readonly scopes: string[];
}

/** Loads `file` and returns its one operation. */
export function specOperation(file: string): SpecOperation {
  const doc = JSON.parse(readFileSync(join(KLAVIYO_OPENAPI_DIR, file), "utf8")) as Json;
  const paths = doc["paths"] as Record<string, Record<string, Json>>;
  const [pathItem] = Object.values(paths);
  const [op] = Object.values(pathItem!);
  return { doc, op: op!, rateLimit: op!["x-klaviyo-ratelimit"] as { burst: string; steady: string }, scopes: op!["x-klaviyo-scopes"] as string[] };
}

/** Validators of one spec file's responses and request body. */
export class SpecValidator {
  private readonly ajv: Ajv;
  private readonly id: string;
  private readonly op: Json;

  /** @param file - a file name in spec/klaviyo/. */
  constructor(file: string) {
    const { doc, op } = specOperation(file);
    this.ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
    this.ajv.addKeyword({ keyword: "example" });
    this.id = `https://klaviyo.example/${file}`;
    this.ajv.addSchema({ ...doc, $id: this.id });
    this.op = op;
  }

  private compile(pointer: string): ValidateFunction {
    const fn = this.ajv.getSchema(`${this.id}#${pointer}`);
    if (fn === undefined) throw new Error(`no schema at ${pointer}`);
    return fn;
  }

  private responseSchemaPointer(status: number): string {
    const responses = this.op["responses"] as Record<string, Json>;
    const entry = responses[String(status)] ?? responses[`${String(status)[0]}XX`];
    if (entry === undefined) throw new Error(`the spec defines no response for ${status}`);
    const ref = entry["$ref"];
    if (typeof ref === "string") return `${ref.slice(1)}/content/application~1vnd.api+json/schema`;
    const schema = ((entry["content"] as Json)["application/vnd.api+json"] as Json)["schema"] as Json;
    return `${(schema["$ref"] as string).slice(1)}`;
  }

  /** The ajv errors of `body` as the answer with `status`, as text; empty when it conforms. */
  responseErrors(status: number, body: unknown): string {
    const validate = this.compile(this.responseSchemaPointer(status));
    return validate(body) ? "" : this.ajv.errorsText(validate.errors, { separator: "\n" });
  }

  /** The ajv errors of `body` as this operation's request body; empty when it conforms. */
  requestErrors(body: unknown): string {
    const rb = this.op["requestBody"] as Json;
    const schema = ((rb["content"] as Json)["application/vnd.api+json"] as Json)["schema"] as Json;
    const validate = this.compile((schema["$ref"] as string).slice(1));
    return validate(body) ? "" : this.ajv.errorsText(validate.errors, { separator: "\n" });
  }
}
