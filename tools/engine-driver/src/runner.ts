// Child process: runs one Pulumi program under pulumi.runtime.setMocks, forwarding every resource
// registration to the parent (the driver's engine) over the IPC channel and answering the program
// with the id/outputs the parent sends back, as the engine's resource monitor does.
//
// Started as: node --import tsx runner.ts <json RunnerArgs> with an IPC channel (child_process.fork).
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";

export interface RunnerArgs {
  programDir: string;
  project: string;
  stack: string;
  preview: boolean;
}

export interface RegisterMessage {
  t: "register";
  seq: number;
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  parent: string;
  /** Inputs as serialized by the runtime: secrets wrapped, unknowns as the unknown sentinel. */
  inputs: Record<string, unknown>;
  options: {
    parent?: string;
    dependsOn: string[];
    propertyDependencies: Record<string, string[]>;
    protect?: boolean;
    retainOnDelete?: boolean;
    ignoreChanges: string[];
    aliases: string[];
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs: string[];
    replaceOnChanges: string[];
    provider?: string;
    deletedWith?: string;
    customTimeouts?: { create: string; update: string; delete: string };
  };
}

export interface DoneMessage {
  t: "done";
  ok: boolean;
  errors: string[];
  /** Stack exports, resolved; secrets wrapped, unknowns as the unknown sentinel. */
  exports: Record<string, unknown>;
}

export type ReplyMessage = { t: "registered"; seq: number; id: string; outputs: Record<string, unknown> } | { t: "registered"; seq: number; error: string };

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as RunnerArgs;
  const errors: string[] = [];
  process.on("unhandledRejection", (e) => {
    errors.push(String((e as Error)?.stack ?? e));
  });
  process.on("uncaughtException", (e) => {
    errors.push(String(e?.stack ?? e));
  });
  process.chdir(args.programDir);
  const programReq = createRequire(path.join(args.programDir, "index.ts"));
  // The same module instances the program will load (resolved from the program's directory).

  const pulumi: any = programReq("@pulumi/pulumi");
  const mocksMod: any = programReq("@pulumi/pulumi/runtime/mocks");
  const settings: any = programReq("@pulumi/pulumi/runtime/settings");

  let seq = 0;
  const pending = new Map<number, { resolve: (r: { id: string | undefined; state: Record<string, unknown> }) => void; reject: (e: Error) => void }>();
  process.on("message", (m: ReplyMessage) => {
    if (m.t !== "registered") return;
    const p = pending.get(m.seq);
    if (!p) return;
    pending.delete(m.seq);
    if ("error" in m) p.reject(new Error(m.error));
    else p.resolve({ id: m.id === "" ? undefined : m.id, state: m.outputs });
  });

  let currentReq: any;
  const origRegister = mocksMod.MockMonitor.prototype.registerResource;
  mocksMod.MockMonitor.prototype.registerResource = function (this: any, req: any, cb: any) {
    currentReq = req;
    return origRegister.call(this, req, cb);
  };

  const mocks = {
    call: (a: any) => {
      throw new Error(`invoke ${a.token} is not supported by the engine driver`);
    },
    newResource(this: void, a: any): Promise<{ id: string | undefined; state: Record<string, unknown> }> {
      const req = currentReq;
      currentReq = undefined;
      const parent: string = req.getParent();
      let type: string = req.getType();
      if (parent) {
        const qualifiedType = parent.split("::")[2] ?? "";
        type = (qualifiedType.split("$").pop() ?? "") + "$" + type;
      }
      const urn = "urn:pulumi:" + [args.stack, args.project, type, req.getName()].join("::");
      const propDeps: Record<string, string[]> = {};
      req.getPropertydependenciesMap().forEach((v: any, k: string) => {
        propDeps[k] = v.getUrnsList();
      });
      const aliases: string[] = [];
      for (const al of req.getAliasesList()) {
        if (al.hasUrn && al.hasUrn()) aliases.push(al.getUrn());
        else if (al.getSpec) {
          const spec = al.getSpec();
          if (!spec) continue;
          const aParent: string = spec.getParenturn?.() || (spec.getNoparent?.() ? "" : parent);
          let aType: string = spec.getType() || req.getType();
          if (aParent) {
            const q = aParent.split("::")[2] ?? "";
            aType = (q.split("$").pop() ?? "") + "$" + aType;
          }
          aliases.push("urn:pulumi:" + [spec.getStack() || args.stack, spec.getProject() || args.project, aType, spec.getName() || req.getName()].join("::"));
        }
      }
      for (const u of req.getAliasurnsList()) aliases.push(u);
      const ct = req.getCustomtimeouts();
      const msg: RegisterMessage = {
        t: "register",
        seq: ++seq,
        type: a.type,
        name: a.name,
        urn,
        custom: !!a.custom,
        parent,
        inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
        options: {
          ...(parent ? { parent } : {}),
          dependsOn: req.getDependenciesList(),
          propertyDependencies: propDeps,
          ...(req.hasProtect?.() ? { protect: req.getProtect() } : req.getProtect() ? { protect: true } : {}),
          ...(req.hasRetainondelete?.() ? { retainOnDelete: req.getRetainondelete() } : req.getRetainondelete() ? { retainOnDelete: true } : {}),
          ignoreChanges: req.getIgnorechangesList(),
          aliases,
          ...(req.getDeletebeforereplacedefined() ? { deleteBeforeReplace: req.getDeletebeforereplace() } : {}),
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          replaceOnChanges: req.getReplaceonchangesList(),
          ...(req.getProvider() ? { provider: req.getProvider() } : {}),
          ...(req.getDeletedwith() ? { deletedWith: req.getDeletedwith() } : {}),
          ...(ct && (ct.getCreate() || ct.getUpdate() || ct.getDelete())
            ? { customTimeouts: { create: ct.getCreate(), update: ct.getUpdate(), delete: ct.getDelete() } }
            : {}),
        },
      };
      return new Promise((resolve, reject) => {
        pending.set(msg.seq, { resolve, reject });
        process.send!(msg);
      });
    },
  };
  await pulumi.runtime.setMocks(mocks, args.project, args.stack, args.preview);

  let programExports: Record<string, unknown> = {};
  try {
    const pkgPath = path.join(args.programDir, "package.json");
    let main = "";
    if (fs.existsSync(pkgPath)) main = (JSON.parse(fs.readFileSync(pkgPath, "utf8")) as { main?: string }).main ?? "";
    const entry = main
      ? path.resolve(args.programDir, main)
      : fs.existsSync(path.join(args.programDir, "index.ts"))
        ? path.join(args.programDir, "index.ts")
        : path.join(args.programDir, "index.js");
    programExports = programReq(entry) as Record<string, unknown>;
    if (typeof programExports === "function") {
      const r = await (programExports as () => unknown)();
      programExports = (r ?? {}) as Record<string, unknown>;
    }
  } catch (e) {
    errors.push(String((e as Error)?.stack ?? e));
  }

  const exportsOut: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(programExports ?? {})) {
    if (k === "__esModule" || k === "default") continue;
    try {
      const o = pulumi.output(v);
      const [val, known, secret] = await Promise.all([o.promise(true), o.isKnown, o.isSecret]);
      const plain = known ? JSON.parse(JSON.stringify(val ?? null)) : UNKNOWN;
      exportsOut[k] = secret ? { [SIG_KEY]: SECRET_SIG, value: plain } : plain;
    } catch (e) {
      errors.push(`export ${k}: ${String((e as Error)?.message ?? e)}`);
    }
  }
  await settings.waitForRPCs();
  // As the language host does: errors the program logged (e.g. a provider that could not be
  // serialized, which surfaces only as a logged error under mocks) fail the run.
  if (pulumi.log.hasErrors() && errors.length === 0) errors.push("the program logged errors; see the program output");
  const done: DoneMessage = { t: "done", ok: errors.length === 0, errors, exports: exportsOut };
  process.send!(done, () => process.exit(0));
}

main().catch((e) => {
  const done: DoneMessage = { t: "done", ok: false, errors: [String((e as Error)?.stack ?? e)], exports: {} };
  if (process.send) process.send(done, () => process.exit(1));
  else process.exit(1);
});
