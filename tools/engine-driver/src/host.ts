// The real Node dynamic-provider host (@pulumi/pulumi/cmd/dynamic-provider), started as the engine
// starts it, and a typed gRPC client for it.
import { ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { Json, JsonObject } from "./secrets";

export type RpcMethod = "Configure" | "Check" | "Diff" | "Create" | "Update" | "Delete" | "Read";

export interface CheckFailure {
  property: string;
  reason: string;
}

/** A gRPC error from the host, decoded. `initFailed` is set for a partial create/update. */
export class RpcError extends Error {
  constructor(
    readonly method: RpcMethod,
    readonly code: number,
    readonly details: string,
    readonly initFailed: { id: string; properties: JsonObject; reasons: string[] } | undefined,
  ) {
    super(`${method} failed (${grpc.status[code] ?? code}): ${details}`);
    this.name = "RpcError";
  }
}

export interface HostOptions {
  /** Working directory of the host: the program's directory. */
  cwd: string;
  env?: Record<string, string>;
  /** Bound on start-up and on each call, in ms. */
  timeoutMs: number;
}

export interface CheckResult {
  inputs: JsonObject;
  failures: CheckFailure[];
}

export interface DiffResult {
  changes: "unknown" | "none" | "some";
  replaces: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
}

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
export const HOST_SCRIPT = path.join(pulumiDir, "cmd", "dynamic-provider", "index.js");

/**
 * The host the engine would start for a program in `dir`: the dynamic-provider host of the
 * `@pulumi/pulumi` the program itself resolves (its own node_modules, as `pulumi up` does), or
 * this repository's when the program resolves none.
 */
export function hostScriptFor(dir: string): string {
  try {
    const pkg = createRequire(path.join(dir, "index.js")).resolve("@pulumi/pulumi/package.json");
    return path.join(path.dirname(pkg), "cmd", "dynamic-provider", "index.js");
  } catch {
    return HOST_SCRIPT;
  }
}

function toStruct(o: JsonObject): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(o)) as Record<string, never>);
}

/** What a Diff and an Update request both carry: the resource, its old state and inputs, the new inputs. */
interface ResourceChange {
  urn: string;
  name: string;
  type: string;
  id: string;
  olds: JsonObject;
  news: JsonObject;
  oldInputs: JsonObject;
  ignoreChanges: string[];
}

/** The setters DiffRequest and UpdateRequest share. */
interface ChangeRequestSetters {
  setUrn(value: string): unknown;
  setName(value: string): unknown;
  setType(value: string): unknown;
  setId(value: string): unknown;
  setOlds(value: Struct): unknown;
  setNews(value: Struct): unknown;
  setOldInputs(value: Struct): unknown;
  setIgnorechangesList(value: string[]): unknown;
}

/** Fills the fields of a Diff or Update request that describe the change. */
function changeRequest<R extends ChangeRequestSetters>(req: R, change: ResourceChange): R {
  req.setUrn(change.urn);
  req.setName(change.name);
  req.setType(change.type);
  req.setId(change.id);
  req.setOlds(toStruct(change.olds));
  req.setNews(toStruct(change.news));
  req.setOldInputs(toStruct(change.oldInputs));
  req.setIgnorechangesList(change.ignoreChanges);
  return req;
}

function fromStruct(s: Struct | undefined): JsonObject {
  return s ? (s.toJavaScript() as JsonObject) : {};
}

export class ProviderHost {
  private proc: ChildProcess | undefined;
  private client: ResourceProviderClient | undefined;
  private exited = false;
  stdout = "";
  stderr = "";
  /** Interleaved stdout+stderr, as the engine shows it. */
  output = "";
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  /** The host script started (see {@link hostScriptFor}). */
  script = HOST_SCRIPT;

  constructor(private readonly opts: HostOptions) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get alive(): boolean {
    return this.proc !== undefined && !this.exited;
  }

  async start(): Promise<void> {
    this.script = hostScriptFor(this.opts.cwd);
    const proc = spawn(process.execPath, [this.script, "127.0.0.1:1"], {
      cwd: this.opts.cwd,
      env: { ...process.env, ...(this.opts.env ?? {}) } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.proc = proc;
    const port = await new Promise<number>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(new Error(`provider host did not print its port within ${this.opts.timeoutMs} ms; output:\n${this.output}`));
      }, this.opts.timeoutMs);
      proc.stdout!.setEncoding("utf8");
      proc.stderr!.setEncoding("utf8");
      proc.stdout!.on("data", (d: string) => {
        this.stdout += d;
        this.output += d;
        const m = /^(\d+)\s*$/m.exec(this.stdout);
        if (m && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      proc.stderr!.on("data", (d: string) => {
        this.stderr += d;
        this.output += d;
      });
      proc.on("exit", (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(new Error(`provider host exited (${code ?? signal}) before printing its port; output:\n${this.output}`));
        }
      });
      proc.on("error", (e) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(e);
        }
      });
    });
    this.client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }

  /** Kill the host process now (SIGKILL by default). */
  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.proc && !this.exited) this.proc.kill(signal);
  }

  /** Close the client, kill the host and wait (bounded) for it to exit. */
  async stop(): Promise<void> {
    this.client?.close();
    this.client = undefined;
    const proc = this.proc;
    if (!proc || this.exited) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3000);
      proc.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
      proc.kill("SIGKILL");
    });
  }

  private unary<Req, Res>(
    method: RpcMethod,
    fn: (
      c: ResourceProviderClient,
    ) => (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (e: grpc.ServiceError | null, r: Res) => void) => grpc.ClientUnaryCall,
    req: Req,
  ): Promise<Res> {
    const client = this.client;
    if (!client) return Promise.reject(new RpcError(method, grpc.status.UNAVAILABLE, "provider host not started", undefined));
    return new Promise<Res>((resolve, reject) => {
      fn(client).call(client, req, new grpc.Metadata(), { deadline: Date.now() + this.opts.timeoutMs }, (err, res) => {
        if (err) reject(decodeError(method, err));
        else resolve(res);
      });
    });
  }

  async configure(variables: Record<string, string>): Promise<{ acceptSecrets: boolean }> {
    const req = new provproto.ConfigureRequest();
    req.setArgs(toStruct(variables));
    const vm = req.getVariablesMap();
    for (const [k, v] of Object.entries(variables)) vm.set(k, v);
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    const res = await this.unary("Configure", (c) => c.configure, req);
    return { acceptSecrets: res.getAcceptsecrets() };
  }

  async check(urn: string, name: string, type: string, olds: JsonObject, news: JsonObject): Promise<CheckResult> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn);
    req.setName(name);
    req.setType(type);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const res = await this.unary("Check", (c) => c.check, req);
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(
    urn: string,
    name: string,
    type: string,
    id: string,
    olds: JsonObject,
    news: JsonObject,
    oldInputs: JsonObject,
    ignoreChanges: string[],
  ): Promise<DiffResult> {
    const req = changeRequest(new provproto.DiffRequest(), { urn, name, type, id, olds, news, oldInputs, ignoreChanges });
    const res = await this.unary("Diff", (c) => c.diff, req);
    const ch = res.getChanges();
    return {
      changes: ch === provproto.DiffResponse.DiffChanges.DIFF_SOME ? "some" : ch === provproto.DiffResponse.DiffChanges.DIFF_NONE ? "none" : "unknown",
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
      diffs: res.getDiffsList(),
    };
  }

  async create(urn: string, name: string, type: string, properties: JsonObject): Promise<{ id: string; properties: JsonObject }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urn);
    req.setName(name);
    req.setType(type);
    req.setProperties(toStruct(properties));
    req.setPreview(false);
    const res = await this.unary("Create", (c) => c.create, req);
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }

  async update(
    urn: string,
    name: string,
    type: string,
    id: string,
    olds: JsonObject,
    news: JsonObject,
    oldInputs: JsonObject,
    ignoreChanges: string[],
  ): Promise<{ properties: JsonObject }> {
    const req = changeRequest(new provproto.UpdateRequest(), { urn, name, type, id, olds, news, oldInputs, ignoreChanges });
    req.setPreview(false);
    const res = await this.unary("Update", (c) => c.update, req);
    return { properties: fromStruct(res.getProperties()) };
  }

  async delete(urn: string, name: string, type: string, id: string, properties: JsonObject, oldInputs: JsonObject): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setUrn(urn);
    req.setName(name);
    req.setType(type);
    req.setId(id);
    req.setProperties(toStruct(properties));
    req.setOldInputs(toStruct(oldInputs));
    await this.unary("Delete", (c) => c.delete, req);
  }

  async read(
    urn: string,
    name: string,
    type: string,
    id: string,
    properties: JsonObject,
    inputs: JsonObject,
  ): Promise<{ id: string; properties: JsonObject; inputs: JsonObject | undefined }> {
    const req = new provproto.ReadRequest();
    req.setUrn(urn);
    req.setName(name);
    req.setType(type);
    req.setId(id);
    req.setProperties(toStruct(properties));
    req.setInputs(toStruct(inputs));
    const res = await this.unary("Read", (c) => c.read, req);
    const ins = res.getInputs();
    return { id: res.getId(), properties: fromStruct(res.getProperties()), inputs: ins ? fromStruct(ins) : undefined };
  }
}

/** Decode a gRPC error, including `ErrorResourceInitFailed` packed in `grpc-status-details-bin`. */
export function decodeError(method: RpcMethod, err: grpc.ServiceError): RpcError {
  let initFailed: RpcError["initFailed"];
  const bins = err.metadata?.get("grpc-status-details-bin") ?? [];
  for (const bin of bins) {
    try {
      const status = statusproto.Status.deserializeBinary(typeof bin === "string" ? Buffer.from(bin, "base64") : new Uint8Array(bin));
      for (const any of status.getDetailsList()) {
        if (any.getTypeUrl().endsWith("pulumirpc.ErrorResourceInitFailed")) {
          const d = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
          initFailed = { id: d.getId(), properties: fromStruct(d.getProperties()), reasons: d.getReasonsList() };
        }
      }
    } catch {
      // not a Status: ignore
    }
  }
  return new RpcError(method, err.code, err.details || err.message, initFailed);
}

export type { Json };
