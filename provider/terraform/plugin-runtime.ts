/**
 * What the provider process loads after its handshake line is out: gRPC, the
 * protocol definitions, and a provider service whose implementation (the
 * rules, their HTTP stack, zod, Klaviyo's spec files) is loaded on the first
 * call. Kept apart from main.ts so the bundle can carry it as a second file
 * that is read and compiled only after the handshake (scripts/terraform/bundle.ts).
 */
import * as grpc from "@grpc/grpc-js";
import type { LoadedPlugin } from "./plugin-server";
import { loadProtocol, type ProtocolServices } from "./protocol";

/** Forwards every method to the provider service, loaded on the first call. */
function lazyProvider(services: ProtocolServices): grpc.UntypedServiceImplementation {
  let loading: Promise<grpc.UntypedServiceImplementation> | undefined;
  const load = (): Promise<grpc.UntypedServiceImplementation> => (loading ??= import("./provider-service").then((m) => m.createProviderService()));
  const methods: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(services.provider)) {
    methods[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      load().then(
        (impl) => (impl[name] as grpc.handleUnaryCall<unknown, unknown>)(call, callback),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    };
  }
  return methods;
}

/** gRPC, the protocol's services and the (lazy) provider. */
export function loadPlugin(): LoadedPlugin {
  const services = loadProtocol();
  return { grpc, services, provider: lazyProvider(services) };
}
