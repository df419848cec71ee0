/**
 * Terraform values on the wire: cty types as JSON (`"string"`,
 * `["set","string"]`) and values as msgpack `DynamicValue`s, where an unknown
 * value is a msgpack extension (type 0, and type 12 with refinements): any
 * extension read back means unknown. Objects are encoded with every attribute
 * of their type, absent ones as null.
 */
import { Decoder, Encoder, ExtData } from "@msgpack/msgpack";

/** A cty type. */
export type CtyType = "string" | "number" | "bool" | readonly ["set" | "list" | "map", CtyType] | readonly ["object", Readonly<Record<string, CtyType>>];

/** A value not known yet (plan). */
export const UNKNOWN: unique symbol = Symbol("unknown");

/** A Terraform value: primitives, null, unknown, lists/sets, maps/objects. */
export type TfValue = string | number | boolean | null | typeof UNKNOWN | readonly TfValue[] | { readonly [key: string]: TfValue };

/** An object value (a resource's or provider's attributes). */
export type TfObject = { readonly [key: string]: TfValue };

/** The `DynamicValue` message. */
export interface DynamicValue {
  /** msgpack encoding. */
  msgpack?: Buffer | Uint8Array;
  /** JSON encoding (never unknown values). */
  json?: Buffer | Uint8Array;
}

/** A cty type as the JSON bytes the schema carries. */
export function typeBytes(type: CtyType): Buffer {
  return Buffer.from(JSON.stringify(type), "utf8");
}

// One encoder and one decoder for the process: both work synchronously, and making one per value
// (what the package's encode() and decode() do) allocates its buffers and caches each time.
const encoder = new Encoder();
const decoder = new Decoder();

function fromWire(value: unknown): TfValue {
  if (value instanceof ExtData) return UNKNOWN;
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean" || typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(fromWire);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  if (typeof value === "object") {
    const out: Record<string, TfValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = fromWire(v);
    return out;
  }
  throw new Error(`Unexpected value of type ${typeof value} in a Terraform DynamicValue.`);
}

/** Decodes a DynamicValue (msgpack, else JSON); an absent one is null. */
export function decodeDynamic(dv: DynamicValue | null | undefined): TfValue {
  if (dv === null || dv === undefined) return null;
  if (dv.msgpack !== undefined && dv.msgpack.length > 0) return fromWire(decoder.decode(dv.msgpack));
  if (dv.json !== undefined && dv.json.length > 0) return fromWire(JSON.parse(Buffer.from(dv.json).toString("utf8")));
  return null;
}

/** Decodes JSON bytes (raw state). */
export function decodeJson(bytes: Buffer | Uint8Array): TfValue {
  return fromWire(JSON.parse(Buffer.from(bytes).toString("utf8")));
}

function toWire(value: TfValue | undefined, type: CtyType): unknown {
  if (value === UNKNOWN) return new ExtData(0, new Uint8Array([0]));
  if (value === null || value === undefined) return null;
  if (typeof type === "string") {
    if (type === "string" && typeof value !== "string") throw new TypeError(`expected a string, got ${typeof value}`);
    if (type === "number" && typeof value !== "number") throw new TypeError(`expected a number, got ${typeof value}`);
    if (type === "bool" && typeof value !== "boolean") throw new TypeError(`expected a bool, got ${typeof value}`);
    return value;
  }
  const [kind, inner] = type;
  if (kind === "object") {
    const obj = (value ?? {}) as TfObject;
    const out: Record<string, unknown> = {};
    for (const [name, attrType] of Object.entries(inner as Record<string, CtyType>)) out[name] = toWire(obj[name], attrType);
    return out;
  }
  if (kind === "map") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as TfObject)) out[k] = toWire(v, inner as CtyType);
    return out;
  }
  if (!Array.isArray(value)) throw new TypeError(`expected a ${kind}, got ${typeof value}`);
  return (value as readonly TfValue[]).map((v) => toWire(v, inner as CtyType));
}

/** Encodes `value` of `type` as a msgpack DynamicValue. */
export function encodeDynamic(value: TfValue, type: CtyType): DynamicValue {
  return { msgpack: Buffer.from(encoder.encode(toWire(value, type))) };
}

/** True when `value` is unknown or holds an unknown anywhere inside. */
export function hasUnknown(value: TfValue): boolean {
  if (value === UNKNOWN) return true;
  if (value === null || typeof value !== "object") return false;
  return Object.values(value as Record<string, TfValue>).some(hasUnknown);
}
