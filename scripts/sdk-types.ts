/**
 * Generates sdk/types.ts from the resource's shape (provider/core/shape.ts):
 * the SDK's argument interface and the outputs every destination declares,
 * each with its TSDoc. `npm run gen:sdk` writes it; test/sdk/types.test.ts
 * fails when the file is not what the shape generates.
 *
 *   tsx scripts/sdk-types.ts [--check]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DESTINATION_INPUTS, DESTINATION_OUTPUTS, INPUT_NAMES, PUBLIC_OUTPUT_NAMES, type InputSpec, type PropertyType } from "../provider/core/shape";

/** Where the generated file lives. */
export const SDK_TYPES_FILE = join(__dirname, "..", "sdk", "types.ts");

const tsType = (t: PropertyType): string => (t === "string[]" ? "string[]" : t);
const inputType = (t: PropertyType): string => (t === "string[]" ? "pulumi.Input<pulumi.Input<string>[]>" : `pulumi.Input<${t}>`);

function wrap(text: string, indent: string): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line !== "" && line.length + 1 + w.length > 96) {
      lines.push(line);
      line = w;
    } else line = line === "" ? w : `${line} ${w}`;
  }
  if (line !== "") lines.push(line);
  return lines.map((l) => `${indent} * ${l}`);
}

function doc(indent: string, paragraphs: string[], tags: string[] = []): string {
  const body = paragraphs.flatMap((p) => wrap(p, indent));
  return [`${indent}/**`, ...body, ...tags.map((t) => `${indent} * ${t}`), `${indent} */`].join("\n");
}

function argDoc(spec: InputSpec): string {
  const extra: string[] = [];
  if (spec.secret) extra.push("Made secret: pass `cfg.requireSecret(...)`; a plain string is made secret, with a warning.");
  if (spec.forcesReplacement) extra.push("Changing it replaces the resource (the new destination is created before the old one is deleted).");
  if (spec.default !== undefined) extra.push(`Default: ${spec.default}.`);
  return doc("  ", [`${spec.description} ${extra.join(" ")}`.trim()], spec.example === undefined ? [] : [`@example ${spec.example}`]);
}

/** The text of sdk/types.ts as the shape generates it (already in the project's prettier style; `npm run lint` checks). */
export function renderSdkTypes(): string {
  const args = INPUT_NAMES.filter((n) => !("setByEngine" in DESTINATION_INPUTS[n])).map((n) => {
    const spec: InputSpec = DESTINATION_INPUTS[n];
    return `${argDoc(spec)}\n  ${n}${spec.presence === "required" ? "" : "?"}: ${inputType(spec.type)};`;
  });
  const outputs = PUBLIC_OUTPUT_NAMES.map((n) => {
    const spec = DESTINATION_OUTPUTS[n];
    const t = spec.presence === "always" ? tsType(spec.type) : `${tsType(spec.type)} | undefined`;
    return `${doc("  ", [spec.description])}\n  declare public readonly ${n}: pulumi.Output<${t}>;`;
  });
  return `// Generated from provider/core/shape.ts by scripts/sdk-types.ts (npm run gen:sdk). Do not edit by hand.
/** The resource's arguments and declared outputs, generated from its shape. */
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link UpstackKlaviyoDestination}. */
export interface UpstackKlaviyoDestinationArgs {
${args.join("\n")}
}

/**
 * The outputs every {@link UpstackKlaviyoDestination} declares (none of them ever holds a key).
 * The base of the resource class; not meant to be used on its own.
 */
export abstract class UpstackKlaviyoDestinationOutputs extends pulumi.CustomResource {
${outputs.join("\n")}
}
`;
}

function main(): void {
  const text = renderSdkTypes();
  if (process.argv.includes("--check")) {
    if (readFileSync(SDK_TYPES_FILE, "utf8") !== text) {
      process.stderr.write("sdk/types.ts is not what provider/core/shape.ts generates; run `npm run gen:sdk`.\n");
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(SDK_TYPES_FILE, text);
}

if (require.main === module) main();
