// The Registry pages in docs/ (scripts/terraform/registry-docs.ts): the committed pages are what
// the generator writes from the provider's schemas, and each page's schema section is the one the
// real terraform binary reports for the provider (`terraform providers schema -json`).
import * as fs from "node:fs";
import * as path from "node:path";
import type { SchemaAttribute } from "../../provider/terraform/schemas";
import type { CtyType } from "../../provider/terraform/values";
import { REGISTRY_DOCS_DIR, renderRegistryDocs, schemaMarkdown } from "../../scripts/terraform/registry-docs";
import { describeWithTerraform, SOURCE, useTerraformHarness } from "./support";

const pages = renderRegistryDocs();

test.each(Object.keys(pages))("docs/%s is what `npm run docs:terraform` writes", (file) => {
  const committed = fs.readFileSync(path.join(REGISTRY_DOCS_DIR, file), "utf8");
  // When this fails, the schema or an example changed: run `npm run docs:terraform` and commit the pages.
  expect(committed).toBe(pages[file]);
});

/** A page's "## Schema" section (to the next "## " heading or the end). */
function schemaSection(page: string): string {
  const start = page.indexOf("## Schema\n");
  const next = page.indexOf("\n## ", start + 1);
  return `${page.slice(start, next === -1 ? undefined : next).trimEnd()}\n`;
}

interface TerraformAttribute {
  type: CtyType;
  description?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  write_only?: boolean;
}

/** Terraform's JSON attributes as the generator's input. */
function fromTerraform(attributes: Record<string, TerraformAttribute>): SchemaAttribute[] {
  return Object.entries(attributes).map(([name, a]) => ({
    name,
    type: a.type,
    description: a.description ?? "",
    required: a.required === true,
    optional: a.optional === true,
    computed: a.computed === true,
    sensitive: a.sensitive === true,
    writeOnly: a.write_only === true,
  }));
}

describeWithTerraform("terraform: the Registry pages against the binary's view of the provider", () => {
  const h = useTerraformHarness();

  test("each page's schema section is the schema `terraform providers schema -json` reports", async () => {
    const dir = h.workdir("");
    const run = await h.tf(dir, ["providers", "schema", "-json"]);
    expect(run.code).toBe(0);
    const schemas = (JSON.parse(run.stdout) as { provider_schemas: Record<string, Record<string, unknown>> }).provider_schemas[SOURCE]!;
    type Block = { block: { attributes: Record<string, TerraformAttribute> } };
    const provider = schemas["provider"] as Block;
    const resource = (schemas["resource_schemas"] as Record<string, Block>)["upstack_klaviyo_destination"]!;
    const ephemeral = (schemas["ephemeral_resource_schemas"] as Record<string, Block>)["upstack_klaviyo_key"]!;
    expect(schemaSection(pages["index.md"]!)).toBe(schemaMarkdown(fromTerraform(provider.block.attributes)));
    expect(schemaSection(pages[path.join("resources", "klaviyo_destination.md")]!)).toBe(schemaMarkdown(fromTerraform(resource.block.attributes)));
    expect(schemaSection(pages[path.join("ephemeral-resources", "klaviyo_key.md")]!)).toBe(schemaMarkdown(fromTerraform(ephemeral.block.attributes)));
  });
});
