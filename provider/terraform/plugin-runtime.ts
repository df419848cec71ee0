/**
 * What the provider process loads after its handshake line is out: the gRPC
 * server (grpc-server.ts), the protocol's codecs, and a provider service whose
 * implementation (the rules, their HTTP stack, zod, Klaviyo's spec files) is
 * loaded on the first call. Kept apart from main.ts so the bundle can carry it
 * as a second file that is read and compiled only after the handshake
 * (scripts/terraform/bundle.ts).
 */
import { UnaryGrpcServer, type ServiceImplementation, type UnaryHandler } from "./grpc-server";
import type { LoadedPlugin } from "./plugin-server";
import { loadProtocol, type ProtocolServices } from "./protocol";

/** Forwards every method to the provider service, loaded on the first call. */
function lazyProvider(services: ProtocolServices): ServiceImplementation {
  let loading: Promise<ServiceImplementation> | undefined;
  // The real provider process carries validations to the later processes of its Terraform run (validation-carry.ts).
  const load = (): Promise<ServiceImplementation> =>
    (loading ??= Promise.all([import("./provider-service"), import("./validation-carry")]).then(([service, carry]) =>
      service.createProviderService({ validationCarry: carry.terraformRunCarry() }),
    ));
  const methods: Record<string, UnaryHandler> = {};
  for (const name of Object.keys(services.provider)) {
    methods[name] = (call, callback) => {
      load().then(
        (impl) => impl[name]!(call, callback),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    };
  }
  return methods;
}

/** The gRPC server, the protocol's services and the (lazy) provider. */
export function loadPlugin(): LoadedPlugin {
  const services = loadProtocol();
  return { createServer: (options) => new UnaryGrpcServer(options), services, provider: lazyProvider(services) };
}
