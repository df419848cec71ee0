/**
 * gRPC service definitions for Terraform's `tfplugin6.Provider` and go-plugin's
 * `plugin.GRPCController`, built from this project's own subset of the public
 * protocol definitions (`proto/`). Field names stay snake_case as on the wire;
 * 64-bit integers are JavaScript numbers; bytes are Buffers.
 *
 * The definitions are made with protobufjs directly, the way
 * `@grpc/proto-loader` makes them (`fromObject` + `encode` to serialize,
 * `decode` + `toObject` to deserialize, the same conversion options), without
 * proto-loader's file descriptors for gRPC reflection, which this server does
 * not offer: building those was most of the time to load the protocol, and
 * Terraform starts a fresh provider process three to five times per command.
 */
import type * as grpc from "@grpc/grpc-js";
import { Root, type IConversionOptions, type Type } from "protobufjs";
import { protoDescriptors } from "./proto-files";

/** proto-loader's options as this provider used them: keepCase (in the descriptors), longs and enums as numbers, no defaults, oneofs. */
const CONVERSION: IConversionOptions = { longs: Number, enums: Number, defaults: false, oneofs: true };

/** The two services. */
export interface ProtocolServices {
  /** `tfplugin6.Provider`. */
  readonly provider: grpc.ServiceDefinition;
  /** `plugin.GRPCController`. */
  readonly controller: grpc.ServiceDefinition;
}

const serialize =
  (type: Type) =>
  (value: object): Buffer =>
    Buffer.from(type.encode(type.fromObject(value)).finish());
const deserialize =
  (type: Type) =>
  (bytes: Buffer): object =>
    type.toObject(type.decode(bytes), CONVERSION);

/** One service's definition, keyed by method name; paths `/package.Service/Method`. */
function serviceDefinition(root: Root, fullName: string): grpc.ServiceDefinition {
  const service = root.lookupService(fullName);
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const request = method.resolvedRequestType!;
    const response = method.resolvedResponseType!;
    definition[method.name] = {
      path: `/${fullName}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: serialize(request),
      requestDeserialize: deserialize(request),
      responseSerialize: serialize(response),
      responseDeserialize: deserialize(response),
    };
  }
  return definition as grpc.ServiceDefinition;
}

/** Builds the gRPC service definitions from the protocol descriptors. */
export function loadProtocol(): ProtocolServices {
  const descriptors = protoDescriptors();
  return {
    provider: serviceDefinition(Root.fromJSON(descriptors.tfplugin6), "tfplugin6.Provider"),
    controller: serviceDefinition(Root.fromJSON(descriptors.grpcController), "plugin.GRPCController"),
  };
}
