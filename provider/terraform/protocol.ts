/**
 * The methods of Terraform's `tfplugin6.Provider` and go-plugin's
 * `plugin.GRPCController`, each with its path and its message (de)serializers,
 * built from the static codecs generated from this project's own subset of
 * the public protocol definitions (`proto/`, `npm run gen:tfplugin-codecs`).
 * Field names stay snake_case as on the wire; 64-bit integers are JavaScript
 * numbers; enums are numbers; bytes are Buffers; absent fields stay absent (no
 * defaults); a set oneof names its field.
 *
 * The conversions are the ones `@grpc/proto-loader` made with these options
 * (`fromObject` + `encode` to serialize, `decode` + `toObject` to
 * deserialize). The codecs are plain generated code: no descriptor is parsed
 * and no code is generated when the provider process starts (Terraform starts
 * a fresh one three to five times per command). The method tables have the
 * shape `@grpc/grpc-js` clients take (`makeGenericClientConstructor`), which
 * the tests and the benchmark use to call the provider as Terraform does.
 */
import type { IConversionOptions } from "protobufjs";
import { SERVICE_CODECS } from "./tfplugin-codecs";

/** A generated message class, as far as the serializers use it. */
export interface MessageCodec {
  /** Encodes a message (made by {@link MessageCodec.fromObject}). */
  encode(message: object): { finish(): Uint8Array };
  /** Decodes a message. */
  decode(bytes: Uint8Array): object;
  /** A message from a plain object (enum names, base64 strings and numbers converted). */
  fromObject(value: object): object;
  /** A plain object from a message. */
  toObject(message: object, options: IConversionOptions): Record<string, unknown>;
}

/** Each service (by full name, e.g. `tfplugin6.Provider`): each method's request and response codec. */
export type ServiceCodecs = Readonly<Record<string, Readonly<Record<string, readonly [MessageCodec, MessageCodec]>>>>;

/** proto-loader's options as this provider used them: keepCase (in the codecs), longs and enums as numbers, no defaults, oneofs. */
const CONVERSION: IConversionOptions = { longs: Number, enums: Number, defaults: false, oneofs: true };

/** One method: its path and (de)serializers (the fields `@grpc/grpc-js` clients read too). */
export interface MethodDefinition {
  /** `/package.Service/Method`. */
  readonly path: string;
  /** Always false: every method served is unary. */
  readonly requestStream: false;
  /** Always false. */
  readonly responseStream: false;
  /** Plain request object to bytes. */
  readonly requestSerialize: (value: object) => Buffer;
  /** Bytes to plain request object. */
  readonly requestDeserialize: (bytes: Buffer) => Record<string, unknown>;
  /** Plain response object to bytes. */
  readonly responseSerialize: (value: object) => Buffer;
  /** Bytes to plain response object. */
  readonly responseDeserialize: (bytes: Buffer) => Record<string, unknown>;
}

/** One service's methods, keyed by method name. */
export type ServiceDefinition = Readonly<Record<string, MethodDefinition>>;

/** The two services. */
export interface ProtocolServices {
  /** `tfplugin6.Provider`. */
  readonly provider: ServiceDefinition;
  /** `plugin.GRPCController`. */
  readonly controller: ServiceDefinition;
}

const serialize =
  (codec: MessageCodec) =>
  (value: object): Buffer => {
    const bytes = codec.encode(codec.fromObject(value)).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
const deserialize =
  (codec: MessageCodec) =>
  (bytes: Buffer): Record<string, unknown> =>
    codec.toObject(codec.decode(bytes), CONVERSION);

/** One service's definition from its codecs; paths `/package.Service/Method`. */
function serviceDefinition(fullName: string): ServiceDefinition {
  const methods = SERVICE_CODECS[fullName];
  if (methods === undefined) throw new Error(`The generated codecs have no service ${fullName}; run npm run gen:tfplugin-codecs.`);
  const definition: Record<string, MethodDefinition> = {};
  for (const [name, [request, response]] of Object.entries(methods)) {
    definition[name] = {
      path: `/${fullName}/${name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: serialize(request),
      requestDeserialize: deserialize(request),
      responseSerialize: serialize(response),
      responseDeserialize: deserialize(response),
    };
  }
  return definition;
}

/** The method tables of the two services. */
export function loadProtocol(): ProtocolServices {
  return { provider: serviceDefinition("tfplugin6.Provider"), controller: serviceDefinition("plugin.GRPCController") };
}
