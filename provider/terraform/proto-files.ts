/**
 * The text of the two protocol definitions this provider serves, read from
 * the `proto/` folder shipped next to the sources (`provider/terraform/proto`
 * in the npm package). The single-executable build replaces this module with
 * one that carries the texts inline (scripts/terraform-release.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Where the `.proto` files are: beside this module (sources) or in the package's provider/terraform/proto (compiled to dist/). */
function protoDir(): string {
  const candidates = [path.join(__dirname, "proto"), path.resolve(__dirname, "..", "..", "..", "provider", "terraform", "proto")];
  for (const dir of candidates) if (fs.existsSync(path.join(dir, "tfplugin6.proto"))) return dir;
  throw new Error(`The Terraform protocol definitions (tfplugin6.proto) were not found in ${candidates.join(" or ")}; the package is incomplete.`);
}

/** The protocol definitions' texts. */
export function protoTexts(): { tfplugin6: string; grpcController: string } {
  const dir = protoDir();
  return {
    tfplugin6: fs.readFileSync(path.join(dir, "tfplugin6.proto"), "utf8"),
    grpcController: fs.readFileSync(path.join(dir, "grpc_controller.proto"), "utf8"),
  };
}
