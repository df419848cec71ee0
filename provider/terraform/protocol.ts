/**
 * gRPC service definitions for Terraform's `tfplugin6.Provider` and go-plugin's
 * `plugin.GRPCController`, built from this project's own subset of the public
 * protocol definitions (`proto/`). Field names stay snake_case as on the wire;
 * 64-bit integers are JavaScript numbers; bytes are Buffers.
 */
import type * as grpc from "@grpc/grpc-js";
import { loadPackageDefinition } from "@grpc/grpc-js";
import { fromJSON, type Options } from "@grpc/proto-loader";
import { parse } from "protobufjs";
import { protoTexts } from "./proto-files";

const OPTIONS: Options = { keepCase: true, longs: Number, enums: Number, defaults: false, oneofs: true };

/** The two services. */
export interface ProtocolServices {
  /** `tfplugin6.Provider`. */
  readonly provider: grpc.ServiceDefinition;
  /** `plugin.GRPCController`. */
  readonly controller: grpc.ServiceDefinition;
}

type Loaded = Record<string, Record<string, { service: grpc.ServiceDefinition }>>;

/** Parses the protocol definitions into gRPC service definitions. */
export function loadProtocol(): ProtocolServices {
  const texts = protoTexts();
  const tf = loadPackageDefinition(fromJSON(parse(texts.tfplugin6, { keepCase: true }).root.toJSON(), OPTIONS)) as unknown as Loaded;
  const plugin = loadPackageDefinition(fromJSON(parse(texts.grpcController, { keepCase: true }).root.toJSON(), OPTIONS)) as unknown as Loaded;
  return { provider: tf["tfplugin6"]!["Provider"]!.service, controller: plugin["plugin"]!["GRPCController"]!.service };
}
