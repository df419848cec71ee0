/**
 * The two protocol definitions this provider serves, as protobufjs
 * descriptors (the JSON form of the parsed `.proto` files): parsed from the
 * `proto/` folder shipped next to the sources (`provider/terraform/proto` in
 * the npm package). The bundle (scripts/terraform/bundle.ts) replaces this
 * module with one that carries the descriptors parsed at build time, so the
 * provider process does not parse `.proto` text when it starts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, type INamespace } from "protobufjs";

/** The file names, in `proto/`. */
export const PROTO_FILES = { tfplugin6: "tfplugin6.proto", grpcController: "grpc_controller.proto" } as const;

/** Where the `.proto` files are: beside this module (sources) or in the package's provider/terraform/proto (compiled to dist/). */
export function protoDir(): string {
  const candidates = [path.join(__dirname, "proto"), path.resolve(__dirname, "..", "..", "..", "provider", "terraform", "proto")];
  for (const dir of candidates) if (fs.existsSync(path.join(dir, PROTO_FILES.tfplugin6))) return dir;
  throw new Error(`The Terraform protocol definitions (tfplugin6.proto) were not found in ${candidates.join(" or ")}; the package is incomplete.`);
}

/** The protocol definitions, parsed (field names as written: snake_case). */
export function protoDescriptors(): { tfplugin6: INamespace; grpcController: INamespace } {
  const dir = protoDir();
  const read = (file: string): INamespace => parse(fs.readFileSync(path.join(dir, file), "utf8"), { keepCase: true }).root.toJSON();
  return { tfplugin6: read(PROTO_FILES.tfplugin6), grpcController: read(PROTO_FILES.grpcController) };
}
