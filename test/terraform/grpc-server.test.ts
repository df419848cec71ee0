// The provider's own unary gRPC server (provider/terraform/grpc-server.ts) against real clients on
// loopback: @grpc/grpc-js's client (as Terraform's go-grpc client calls: mutual TLS, ALPN h2,
// unary calls, StreamStdio that must come back UNIMPLEMENTED), and node:http2's client for what
// the wire carries (headers, one length-prefixed message, trailers; trailers-only errors).
import * as http2 from "node:http2";
import * as net from "node:net";
import * as grpc from "@grpc/grpc-js";
import { UnaryGrpcServer, percentEncode, type ServiceImplementation, type UnaryHandler } from "../../provider/terraform/grpc-server";
import { loadProtocol, type ServiceDefinition } from "../../provider/terraform/protocol";
import { createSelfSignedCertificate, type SelfSignedCertificate } from "../../provider/terraform/self-signed-cert";

jest.setTimeout(60_000);

const protocol = loadProtocol();
const MiB = 1024 * 1024;

type Reply = Record<string, unknown>;
type Call = (request: object, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Reply) => void) => void;

/** A provider implementation for the tests: every method answers `{}` unless overridden. */
function provider(overrides: Record<string, UnaryHandler>): ServiceImplementation {
  const impl: Record<string, UnaryHandler> = {};
  for (const name of Object.keys(protocol.provider)) impl[name] = (_call, callback) => callback(null, {});
  return { ...impl, ...overrides };
}

interface Served {
  readonly address: string;
  readonly server: SelfSignedCertificate;
  readonly terraform: SelfSignedCertificate;
  close(): Promise<void>;
}

/** The server behind a paused-socket listener on 127.0.0.1, as plugin-server.ts runs it. */
async function serve(impl: ServiceImplementation, options: { tls?: boolean; maxReceive?: number } = {}): Promise<Served> {
  const own = createSelfSignedCertificate();
  const terraform = createSelfSignedCertificate();
  const server = new UnaryGrpcServer({
    tls: options.tls === false ? undefined : { clientCert: terraform.certPem, key: own.keyPem, cert: own.certPem },
    maxReceiveMessageLength: options.maxReceive ?? 256 * MiB,
  });
  server.addService(protocol.provider, impl);
  server.addService(protocol.controller, { Shutdown: (_call, callback) => callback(null, {}) });
  const listener = net.createServer({ pauseOnConnect: true }, (socket) => server.injectConnection(socket));
  const port = await new Promise<number>((resolve) =>
    listener.listen({ host: "127.0.0.1", port: 0 }, () => resolve((listener.address() as net.AddressInfo).port)),
  );
  return {
    address: `127.0.0.1:${port}`,
    server: own,
    terraform,
    close: async () => {
      listener.close();
      await server.shutdown(200);
    },
  };
}

const CLIENT_OPTIONS = { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" };

/** A grpc-js client of `definition`; `identity` is the client certificate (Terraform's by default), null for none. */
function client(
  served: Served,
  options: { identity?: SelfSignedCertificate | null; tls?: boolean; channel?: grpc.ChannelOptions; definition?: ServiceDefinition } = {},
): { call: (method: string, request?: object) => Promise<Reply>; stub: grpc.Client } {
  const identity = options.identity === undefined ? served.terraform : options.identity;
  const credentials =
    options.tls === false
      ? grpc.credentials.createInsecure()
      : identity === null
        ? grpc.credentials.createSsl(Buffer.from(served.server.certPem))
        : grpc.credentials.createSsl(Buffer.from(served.server.certPem), Buffer.from(identity.keyPem), Buffer.from(identity.certPem));
  const Client = grpc.makeGenericClientConstructor(options.definition ?? protocol.provider, "Provider");
  const stub = new Client(served.address, credentials, { ...CLIENT_OPTIONS, ...options.channel });
  const methods = stub as unknown as Record<string, Call>;
  return {
    stub,
    call: (method, request = {}) =>
      new Promise((resolve, reject) =>
        methods[method]!.call(stub, request, { deadline: Date.now() + 15_000 }, (error, response) =>
          error === null ? resolve(response ?? {}) : reject(error),
        ),
      ),
  };
}

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

test("unary calls over mutual TLS: the request decoded, the answer encoded (snake_case fields, enums as numbers)", async () => {
  let seen: Reply | undefined;
  served = await serve(
    provider({
      GetMetadata: (_call, callback) =>
        callback(null, { resources: [{ type_name: "upstack_klaviyo_destination" }], server_capabilities: { plan_destroy: true } }),
      ValidateResourceConfig: (call, callback) => {
        seen = call.request;
        callback(null, { diagnostics: [{ severity: 2, summary: `checked ${String(call.request["type_name"])}`, detail: "" }] });
      },
    }),
  );
  const c = client(served);
  expect(await c.call("GetMetadata")).toEqual({ resources: [{ type_name: "upstack_klaviyo_destination" }], server_capabilities: { plan_destroy: true } });
  const answer = await c.call("ValidateResourceConfig", { type_name: "upstack_klaviyo_destination", config: { msgpack: Buffer.from([0x80]) } });
  // A string set to "" is sent and comes back (as proto-loader's conversions did); absent fields stay absent.
  expect(answer).toEqual({ diagnostics: [{ severity: 2, summary: "checked upstack_klaviyo_destination", detail: "" }] });
  expect(seen).toEqual({ type_name: "upstack_klaviyo_destination", config: { msgpack: Buffer.from([0x80]) } });
  expect(Buffer.isBuffer((seen!["config"] as { msgpack: unknown }).msgpack)).toBe(true);
  // An empty answer is a valid message too.
  expect(await c.call("StopProvider")).toEqual({});
  c.stub.close();
});

test("a client without a certificate is refused", async () => {
  served = await serve(provider({}));
  const none = client(served, { identity: null });
  await expect(none.call("GetMetadata")).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  none.stub.close();
});

test("a client with a certificate other than Terraform's is refused; Terraform's is served", async () => {
  served = await serve(provider({}));
  const stranger = client(served, { identity: createSelfSignedCertificate() });
  await expect(stranger.call("GetMetadata")).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  stranger.stub.close();
  // Terraform's own certificate still gets through on the same server.
  const terraform = client(served);
  await expect(terraform.call("GetMetadata")).resolves.toEqual({});
  terraform.stub.close();
});

test("an unknown method (go-plugin's GRPCStdio/StreamStdio, a streaming call) and an unknown service answer UNIMPLEMENTED", async () => {
  served = await serve(provider({}));
  const bytes = {
    requestSerialize: (v: Buffer) => v,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (v: Buffer) => v,
    responseDeserialize: (b: Buffer) => b,
  };
  const stdio = {
    StreamStdio: { path: "/plugin.GRPCStdio/StreamStdio", requestStream: false, responseStream: true, ...bytes },
    Nope: { path: "/tfplugin6.Provider/Nope", requestStream: false, responseStream: false, ...bytes },
  } as unknown as ServiceDefinition;
  const Client = grpc.makeGenericClientConstructor(stdio, "GRPCStdio");
  const stub = new Client(
    served.address,
    grpc.credentials.createSsl(Buffer.from(served.server.certPem), Buffer.from(served.terraform.keyPem), Buffer.from(served.terraform.certPem)),
    CLIENT_OPTIONS,
  );
  const streamed = await new Promise<grpc.ServiceError>((resolve) => {
    const stream = (stub as unknown as { StreamStdio: (req: Buffer) => grpc.ClientReadableStream<Buffer> }).StreamStdio(Buffer.alloc(0));
    stream.on("data", () => undefined);
    stream.on("error", resolve);
  });
  expect(streamed).toMatchObject({ code: grpc.status.UNIMPLEMENTED, details: "The server does not implement the method /plugin.GRPCStdio/StreamStdio" });
  const unary = await new Promise<grpc.ServiceError | null>((resolve) =>
    (stub as unknown as { Nope: (req: Buffer, cb: (e: grpc.ServiceError | null) => void) => void }).Nope(Buffer.alloc(0), resolve),
  );
  expect(unary).toMatchObject({ code: grpc.status.UNIMPLEMENTED });
  stub.close();
});

test("a handler's error is UNKNOWN with its message (percent-encoded on the wire, any character); a throw too", async () => {
  const message = "Import failed: 100% sure — the pixel 9b2f is not “yours”\n(line two)";
  served = await serve(
    provider({
      ImportResourceState: (_call, callback) => callback(new Error(message)),
      ReadResource: () => {
        throw new Error("thrown synchronously");
      },
    }),
  );
  const c = client(served);
  await expect(c.call("ImportResourceState", { type_name: "x", id: "y" })).rejects.toMatchObject({ code: grpc.status.UNKNOWN, details: message });
  await expect(c.call("ReadResource")).rejects.toMatchObject({ code: grpc.status.UNKNOWN, details: "thrown synchronously" });
  c.stub.close();
  expect(percentEncode(message)).toBe("Import failed: 100%25 sure %E2%80%94 the pixel 9b2f is not %E2%80%9Cyours%E2%80%9D%0A(line two)");
});

test("50 calls in flight on one connection, answered out of order, each get their own answer", async () => {
  served = await serve(
    provider({
      ValidateResourceConfig: (call, callback) => {
        const n = Number(String(call.request["type_name"]).slice(2));
        setTimeout(() => callback(null, { diagnostics: [{ severity: 1, summary: `answer ${n}` }] }), (50 - n) * 4);
      },
    }),
  );
  const c = client(served);
  const order: number[] = [];
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, n) =>
      c.call("ValidateResourceConfig", { type_name: `n-${n}` }).then((answer) => {
        order.push(n);
        return answer;
      }),
    ),
  );
  answers.forEach((answer, n) => expect(answer).toEqual({ diagnostics: [{ severity: 1, summary: `answer ${n}` }] }));
  // They really were in flight together: the last sent was answered first.
  expect(order[0]).toBeGreaterThan(40);
  c.stub.close();
});

test("a compressed message is UNIMPLEMENTED (only identity is accepted); a message over the limit is RESOURCE_EXHAUSTED", async () => {
  served = await serve(provider({}), { maxReceive: 1000 });
  const gzip = client(served, { channel: { "grpc.default_compression_algorithm": 2 } });
  await expect(gzip.call("ValidateResourceConfig", { type_name: "x".repeat(100) })).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
  gzip.stub.close();
  const c = client(served);
  await expect(c.call("ValidateResourceConfig", { type_name: "x".repeat(2000) })).rejects.toMatchObject({
    code: grpc.status.RESOURCE_EXHAUSTED,
    details: expect.stringContaining("larger than max"),
  });
  // Under the limit it is served.
  await expect(c.call("ValidateResourceConfig", { type_name: "x".repeat(900) })).resolves.toEqual({});
  c.stub.close();
});

test("without TLS (no PLUGIN_CLIENT_CERT) it serves plaintext HTTP/2", async () => {
  served = await serve(provider({ GetMetadata: (_call, callback) => callback(null, { resources: [{ type_name: "t" }] }) }), { tls: false });
  const c = client(served, { tls: false });
  expect(await c.call("GetMetadata")).toEqual({ resources: [{ type_name: "t" }] });
  c.stub.close();
});

/** One raw HTTP/2 request: the response headers, the body bytes and the trailers (null when the headers ended the stream). */
async function raw(
  s: Served,
  path: string,
  contentType: string,
  body: Buffer | Buffer[],
): Promise<{ headers: http2.IncomingHttpHeaders; body: Buffer; trailers: http2.IncomingHttpHeaders | null }> {
  const session = http2.connect(`https://${s.address}`, { ca: s.server.certPem, key: s.terraform.keyPem, cert: s.terraform.certPem, servername: "localhost" });
  try {
    return await new Promise((resolve, reject) => {
      const req = session.request({ ":method": "POST", ":path": path, "content-type": contentType, te: "trailers" });
      let headers: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders | null = null;
      const chunks: Buffer[] = [];
      req.on("response", (h) => (headers = h));
      req.on("trailers", (t) => (trailers = t));
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => resolve({ headers, body: Buffer.concat(chunks), trailers }));
      req.on("error", reject);
      // Several parts go out as several DATA frames (a message split anywhere, as the protocol allows).
      const parts = Array.isArray(body) ? body : [body];
      const send = (i: number): void => {
        if (i === parts.length - 1) return void req.end(parts[i]);
        req.write(parts[i]);
        setTimeout(() => send(i + 1), 30);
      };
      send(0);
    });
  } finally {
    session.close();
  }
}

test("on the wire: 200, application/grpc, one length-prefixed message, then grpc-status 0 in trailers; errors are trailers-only; a non-gRPC content type gets 415", async () => {
  served = await serve(provider({ GetMetadata: (_call, callback) => callback(null, { resources: [{ type_name: "t" }] }) }));
  const empty = Buffer.from([0, 0, 0, 0, 0]);
  const ok = await raw(served, "/tfplugin6.Provider/GetMetadata", "application/grpc", empty);
  expect(ok.headers[":status"]).toBe(200);
  expect(ok.headers["content-type"]).toBe("application/grpc");
  expect(ok.headers["grpc-status"]).toBeUndefined();
  const expected = protocol.provider["GetMetadata"]!.responseSerialize({ resources: [{ type_name: "t" }] });
  expect(ok.body).toEqual(Buffer.concat([Buffer.from([0, 0, 0, 0, expected.length]), expected]));
  expect(ok.trailers).toMatchObject({ "grpc-status": "0" });
  // The same request in three frames, the prefix itself split.
  const split = await raw(served, "/tfplugin6.Provider/GetMetadata", "application/grpc", [Buffer.from([0, 0]), Buffer.from([0]), Buffer.from([0, 0])]);
  expect(split.body).toEqual(ok.body);
  expect(split.trailers).toMatchObject({ "grpc-status": "0" });

  const unknown = await raw(served, "/plugin.GRPCStdio/StreamStdio", "application/grpc", empty);
  expect(unknown.headers).toMatchObject({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12" });
  expect(unknown.body.length).toBe(0);
  expect(unknown.trailers).toBeNull();

  const compressed = await raw(served, "/tfplugin6.Provider/GetMetadata", "application/grpc", Buffer.from([1, 0, 0, 0, 0]));
  expect(compressed.headers).toMatchObject({ ":status": 200, "grpc-status": "12" });

  const none = await raw(served, "/tfplugin6.Provider/GetMetadata", "application/grpc", Buffer.alloc(0));
  expect(none.headers).toMatchObject({ "grpc-status": "12" });
  const two = await raw(served, "/tfplugin6.Provider/GetMetadata", "application/grpc", Buffer.concat([empty, empty]));
  expect(two.headers).toMatchObject({ "grpc-status": "12" });
  const cut = await raw(served, "/tfplugin6.Provider/GetMetadata", "application/grpc", Buffer.from([0, 0, 0, 0, 9, 1]));
  expect(cut.headers).toMatchObject({ "grpc-status": "13" });

  const json = await raw(served, "/tfplugin6.Provider/GetMetadata", "application/json", Buffer.from("{}"));
  expect(json.headers[":status"]).toBe(415);
});
