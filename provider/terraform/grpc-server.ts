/**
 * A small unary gRPC server on `node:http2`: what go-plugin and Terraform need
 * of gRPC, and only that (gRPC over HTTP/2, grpc/grpc doc/PROTOCOL-HTTP2.md).
 *
 * - HTTP/2 over mutual TLS (the client must present exactly the one
 *   certificate given, ALPN `h2`), or plaintext h2c when no TLS identity is
 *   given.
 * - Connections accepted elsewhere (paused) are handed in with
 *   {@link UnaryGrpcServer.injectConnection}.
 * - `POST /<package.Service>/<Method>` with a body of one length-prefixed
 *   message (1-byte compressed flag, 4-byte big-endian length, protobuf) is
 *   answered with `:status 200`, `content-type: application/grpc`, one
 *   length-prefixed message and the trailer `grpc-status: 0`.
 * - Errors are trailers-only answers: an unknown service or method, a
 *   compressed message (only `identity` is accepted) or a stream of more
 *   than one request message → 12 UNIMPLEMENTED; a message over the size
 *   limit → 8 RESOURCE_EXHAUSTED; an undecodable one → 13 INTERNAL; a handler
 *   error → 2 UNKNOWN with the error's message, percent-encoded. A request
 *   whose content-type is not `application/grpc…` gets HTTP 415.
 * - No deadlines (`grpc-timeout` is not enforced: the client cancels its own
 *   calls, and a cancelled call's answer is dropped), no metadata, no
 *   compression, no streaming methods.
 */
import { X509Certificate } from "node:crypto";
import * as http2 from "node:http2";
import type * as net from "node:net";
import type * as tls from "node:tls";
import type { ServiceDefinition } from "./protocol";

/** A unary call as a handler sees it. */
export interface UnaryCall<Request> {
  /** The decoded request message. */
  readonly request: Request;
}

/** How a handler answers: an error, or the response message. */
export type UnaryCallback<Response> = (error: Error | null, value?: Response) => void;

/** A unary method's implementation (the shape `@grpc/grpc-js` handlers have). */
export type UnaryHandler<Request = Record<string, unknown>, Response = unknown> = (call: UnaryCall<Request>, callback: UnaryCallback<Response>) => void;

/** A service's implementation: a handler per method name. */
export type ServiceImplementation = Readonly<Record<string, UnaryHandler>>;

/** gRPC status codes this server sends (grpc/grpc doc/statuscodes.md). */
export const GrpcStatus = { OK: 0, UNKNOWN: 2, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13 } as const;

/** The server's TLS identity and the one certificate its clients must present. */
export interface MutualTls {
  /** PEM of the only client certificate accepted (go-plugin: Terraform's, from PLUGIN_CLIENT_CERT). */
  readonly clientCert: string;
  /** PEM of the server's private key. */
  readonly key: string;
  /** PEM of the server's certificate. */
  readonly cert: string;
}

/** What {@link UnaryGrpcServer} needs. */
export interface GrpcServerOptions {
  /** Mutual TLS; absent → plaintext HTTP/2 (h2c). */
  readonly tls?: MutualTls | undefined;
  /** The largest request message accepted, in bytes. */
  readonly maxReceiveMessageLength: number;
}

interface Method {
  readonly definition: ServiceDefinition[string];
  readonly handler: UnaryHandler;
}

const PREFIX = 5;
const CONTENT_TYPE = "application/grpc";

/**
 * Percent-encodes a status message as the protocol asks: bytes 0x20–0x7E except `%` as they
 * are, every other byte of the UTF-8 text as `%XX`.
 */
export function percentEncode(message: string): string {
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A unary gRPC server (see the module's description). */
export class UnaryGrpcServer {
  private readonly methods = new Map<string, Method>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly server: http2.Http2Server | http2.Http2SecureServer;
  private readonly maxReceive: number;
  private readonly tls: boolean;
  /** The DER of the one client certificate accepted (TLS only). */
  private readonly clientDer: Buffer | undefined;

  /** Makes the HTTP/2 server (it listens on nothing: connections are injected). */
  constructor(options: GrpcServerOptions) {
    this.maxReceive = options.maxReceiveMessageLength;
    this.tls = options.tls !== undefined;
    this.clientDer = options.tls === undefined ? undefined : new X509Certificate(options.tls.clientCert).raw;
    // Node's default session memory limit (10 MB) resets busy sessions with ENHANCE_YOUR_CALM;
    // @grpc/grpc-js lifts it the same way.
    const common: http2.ServerOptions = { maxSessionMemory: Number.MAX_SAFE_INTEGER };
    this.server =
      options.tls === undefined
        ? http2.createServer(common)
        : http2.createSecureServer({
            ...common,
            key: options.tls.key,
            cert: options.tls.cert,
            // The client is checked against its certificate itself (see "session" below), not through a
            // CA store: Node builds its ~140 bundled root certificates into a store the first time a
            // TLS context gets a CA, or none (30-40 ms of every provider process, measured), and an
            // empty list is the one way to skip it. Pinning the exact certificate is at least as strict
            // as trusting it as the only CA, and the handshake's CertificateVerify proves the client
            // holds its key whether or not a chain is verified.
            ca: [],
            requestCert: true,
            rejectUnauthorized: false,
            ALPNProtocols: ["h2"],
            minVersion: "TLSv1.2",
          });
    this.server.setTimeout(0);
    this.server.on("session", (session: http2.ServerHttp2Session) => {
      // A TLS client that did not present Terraform's certificate is cut before any call is read.
      if (this.clientDer !== undefined && !this.presentedClientCert(session)) {
        session.destroy();
        return;
      }
      this.sessions.add(session);
      session.on("close", () => this.sessions.delete(session));
      session.on("error", () => undefined); // a broken connection ends its calls; nothing to answer
    });
    // A client whose TLS handshake failed: close it, quietly.
    this.server.on("tlsClientError", (_error: Error, socket: net.Socket) => socket.destroy());
    // A TLS socket's own errors (a reset connection) are the server user's to handle (nodejs/node#35824).
    this.server.on("secureConnection", (socket: net.Socket) => socket.on("error", () => undefined));
    this.server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => this.onStream(stream, headers));
  }

  /** Whether the session's TLS client presented exactly the accepted certificate. */
  private presentedClientCert(session: http2.ServerHttp2Session): boolean {
    const peer = (session.socket as tls.TLSSocket).getPeerCertificate();
    return this.clientDer !== undefined && Buffer.isBuffer(peer.raw) && peer.raw.equals(this.clientDer);
  }

  /** Serves a service: each method of `definition` by the handler of the same name in `implementation`. */
  addService(definition: ServiceDefinition, implementation: ServiceImplementation): void {
    for (const [name, method] of Object.entries(definition)) {
      const handler = implementation[name];
      if (handler === undefined) throw new Error(`No handler for ${method.path}.`);
      this.methods.set(method.path, { definition: method, handler });
    }
  }

  /** Serves a connection accepted elsewhere (possibly paused); TLS, if any, starts on it now. */
  injectConnection(socket: net.Socket): void {
    socket.on("error", () => undefined); // a connection reset before or during TLS ends only itself
    this.server.emit("connection", socket);
    // TLS reads the socket itself; a plaintext HTTP/2 session takes over the socket's handle but
    // does not start reading a socket accepted paused.
    if (!this.tls && socket.isPaused()) socket.resume();
  }

  /** Stops: every connection is told to go away (GOAWAY) and closes once its calls are answered; after `graceMs` the rest are cut. */
  shutdown(graceMs: number): Promise<void> {
    const open = [...this.sessions];
    if (open.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let left = open.length;
      const done = (): void => {
        if (--left === 0) resolve();
      };
      const timer = setTimeout(() => {
        for (const session of open) session.destroy();
      }, graceMs);
      timer.unref();
      for (const session of open) {
        if (session.closed || session.destroyed) done();
        else {
          session.once("close", done);
          session.close();
        }
      }
    });
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    stream.on("error", () => undefined); // a reset stream is a cancelled call
    const contentType = headers["content-type"];
    if (headers[":method"] !== "POST" || typeof contentType !== "string" || !contentType.startsWith(CONTENT_TYPE)) {
      stream.respond({ ":status": 415 }, { endStream: true });
      return;
    }
    const path = headers[":path"] ?? "";
    const method = this.methods.get(path);
    if (method === undefined) {
      stream.resume();
      return finish(stream, GrpcStatus.UNIMPLEMENTED, `The server does not implement the method ${path}`);
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let expected: number | undefined; // prefix + length, once the prefix is in
    let failed = false;
    const fail = (code: number, message: string): void => {
      failed = true;
      chunks.length = 0;
      finish(stream, code, message);
    };
    stream.on("data", (chunk: Buffer) => {
      if (failed) return;
      chunks.push(chunk);
      received += chunk.length;
      if (expected === undefined && received >= PREFIX) {
        const head = chunks.length === 1 ? chunk : Buffer.concat(chunks, received);
        if (head[0] !== 0) return fail(GrpcStatus.UNIMPLEMENTED, 'Received a compressed message; this server accepts only the "identity" encoding');
        const length = head.readUInt32BE(1);
        if (length > this.maxReceive) return fail(GrpcStatus.RESOURCE_EXHAUSTED, `Received message larger than max (${length} vs ${this.maxReceive})`);
        expected = PREFIX + length;
      }
      if (expected !== undefined && received > expected) fail(GrpcStatus.UNIMPLEMENTED, `Received a second request message for unary method ${path}`);
    });
    stream.on("end", () => {
      if (failed) return;
      if (received === 0) return finish(stream, GrpcStatus.UNIMPLEMENTED, `Received no request message for unary method ${path}`);
      if (expected === undefined || received < expected)
        return finish(stream, GrpcStatus.INTERNAL, `Received an incomplete request message for unary method ${path}`);
      let request: Record<string, unknown>;
      try {
        request = method.definition.requestDeserialize(Buffer.concat(chunks, received).subarray(PREFIX));
      } catch {
        return finish(stream, GrpcStatus.INTERNAL, "Error deserializing request");
      }
      this.run(stream, method, request);
    });
  }

  private run(stream: http2.ServerHttp2Stream, method: Method, request: Record<string, unknown>): void {
    let answered = false;
    const callback: UnaryCallback<unknown> = (error, value) => {
      if (answered) return;
      answered = true;
      if (error !== null) return finish(stream, GrpcStatus.UNKNOWN, error.message);
      let message: Buffer;
      try {
        message = method.definition.responseSerialize((value ?? {}) as object);
      } catch {
        return finish(stream, GrpcStatus.INTERNAL, "Error serializing response");
      }
      if (stream.destroyed || stream.closed) return; // cancelled meanwhile
      const prefix = Buffer.allocUnsafe(PREFIX);
      prefix[0] = 0;
      prefix.writeUInt32BE(message.length, 1);
      stream.respond({ ":status": 200, "content-type": CONTENT_TYPE, "grpc-accept-encoding": "identity" }, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": String(GrpcStatus.OK) }));
      stream.end(Buffer.concat([prefix, message], PREFIX + message.length));
    };
    try {
      method.handler({ request }, callback);
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/** A trailers-only answer: status 200, the gRPC content type, the status and its message, end of stream. */
function finish(stream: http2.ServerHttp2Stream, code: number, message: string): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond(
    { ":status": 200, "content-type": CONTENT_TYPE, "grpc-accept-encoding": "identity", "grpc-status": String(code), "grpc-message": percentEncode(message) },
    { endStream: true },
  );
}
