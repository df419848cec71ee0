/**
 * The provider's documentation in the Terraform Registry's layout (`docs/index.md`,
 * `docs/resources/klaviyo_destination.md`, `docs/ephemeral-resources/klaviyo_key.md`: the
 * Registry, and the OpenTofu Registry, read these from the repository at a release tag), written
 * from the schemas the provider serves (provider/terraform/schemas.ts) and the examples that
 * test/terraform/examples.test.ts runs, in the page format HashiCorp's `tfplugindocs` writes.
 *
 *   npm run docs:terraform     # rewrites the three pages
 *
 * test/terraform/registry-docs.test.ts fails when the committed pages differ from what this
 * writes, and checks each page's schema against `terraform providers schema -json`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROVIDER_TYPE } from "../../provider/terraform/mirror";
import { DESTINATION_SCHEMA, DESTINATION_TYPE, KEY_SCHEMA, KEY_TYPE, PROVIDER_SCHEMA, type SchemaAttribute } from "../../provider/terraform/schemas";
import type { CtyType } from "../../provider/terraform/values";

const ROOT = path.resolve(__dirname, "..", "..");

/** Where the pages go. */
export const REGISTRY_DOCS_DIR = path.join(ROOT, "docs");

/** A type as the Registry's pages write it (`String`, `Set of String`…). */
export function typeWords(type: CtyType): string {
  if (typeof type === "string") return { string: "String", number: "Number", bool: "Boolean" }[type];
  const [kind, inner] = type;
  if (kind === "object") return "Object";
  return `${{ set: "Set", list: "List", map: "Map" }[kind]} of ${typeWords(inner as CtyType)}`;
}

function attributeLine(a: SchemaAttribute): string {
  const flags = [typeWords(a.type)];
  if (a.sensitive === true) flags.push("Sensitive");
  if (a.writeOnly === true) flags.push("[Write-only](https://developer.hashicorp.com/terraform/language/resources/ephemeral#write-only-arguments)");
  const description = a.description.trim();
  return `- \`${a.name}\` (${flags.join(", ")})${description === "" ? "" : ` ${description}`}`;
}

/**
 * The "Schema" section of a page: Required, Optional and Read-Only attributes (optional and
 * computed ones are Optional), each sorted by name.
 */
export function schemaMarkdown(attributes: readonly SchemaAttribute[]): string {
  const groups: Array<[string, (a: SchemaAttribute) => boolean]> = [
    ["Required", (a) => a.required === true],
    ["Optional", (a) => a.required !== true && a.optional === true],
    ["Read-Only", (a) => a.required !== true && a.optional !== true && a.computed === true],
  ];
  let out = "## Schema\n";
  for (const [title, inGroup] of groups) {
    const lines = attributes
      .filter(inGroup)
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
      .map(attributeLine);
    if (lines.length > 0) out += `\n### ${title}\n\n${lines.join("\n")}\n`;
  }
  return out;
}

function frontMatter(pageTitle: string, description: string): string {
  return `---\npage_title: "${pageTitle}"\nsubcategory: ""\ndescription: |-\n  ${description}\n---\n`;
}

function example(file: string): string {
  const text = fs.readFileSync(path.join(ROOT, "examples", "terraform", file), "utf8").trim();
  return `## Example Usage\n\nThe repository's \`examples/terraform/${file}\`:\n\n\`\`\`terraform\n${text}\n\`\`\`\n`;
}

/** The pages, by path relative to {@link REGISTRY_DOCS_DIR}. */
export function renderRegistryDocs(): Record<string, string> {
  const short = (type: string): string => type.slice(`${PROVIDER_TYPE}_`.length);
  const note = "<!-- Written by `npm run docs:terraform` (scripts/terraform/registry-docs.ts) from the provider's schemas; edit those, not this page. -->\n";
  const index = [
    frontMatter(`${PROVIDER_TYPE} Provider`, PROVIDER_SCHEMA.description),
    note,
    `# ${PROVIDER_TYPE} Provider\n`,
    `${PROVIDER_SCHEMA.description} Manages an Upstack Data Klaviyo destination: the store's Klaviyo private API key is checked against Klaviyo (format, live, which account, the access Upstack needs) before it is registered with Upstack. Needs Terraform 1.11 or later for the write-only key (\`private_api_key_wo\`), 1.10 for the ephemeral key check.\n`,
    "Every argument of the provider block falls back to an environment variable, so a CI job can keep the Upstack API keys in its secret store and the block can stay empty.\n",
    example("one-destination/main.tf"),
    schemaMarkdown(PROVIDER_SCHEMA.attributes),
  ].join("\n");
  const resource = [
    frontMatter(`${DESTINATION_TYPE} Resource - ${PROVIDER_TYPE}`, DESTINATION_SCHEMA.description),
    note,
    `# ${DESTINATION_TYPE} (Resource)\n`,
    `${DESTINATION_SCHEMA.description} A plan with a new or changed key that is known checks it against Klaviyo and fails against the attribute when it is revoked, under-scoped or of another account; an unchanged destination makes no request at plan. \`pixel_id\` forces replacement; a new key is swapped in place. With \`private_api_key_wo\` the key never reaches plan or state: bump \`private_api_key_wo_version\` to rotate.\n`,
    example("one-destination/main.tf"),
    schemaMarkdown(DESTINATION_SCHEMA.attributes),
    `## Import\n\nBy the Upstack pixel's UUID; the next apply takes the destination over (a Terraform owner, the configured key and settings), as \`adopt = true\` does on create:\n\n\`\`\`terraform\nimport {\n  to = ${DESTINATION_TYPE}.klaviyo\n  id = "00000000-0000-4000-8000-000000000000" # the pixel id\n}\n\`\`\`\n\n\`\`\`shell\nterraform import ${DESTINATION_TYPE}.klaviyo 00000000-0000-4000-8000-000000000000\n\`\`\`\n`,
  ].join("\n");
  const ephemeral = [
    frontMatter(`${KEY_TYPE} Ephemeral Resource - ${PROVIDER_TYPE}`, KEY_SCHEMA.description),
    note,
    `# ${KEY_TYPE} (Ephemeral Resource)\n`,
    `${KEY_SCHEMA.description} Checks a Klaviyo private API key like the resource does (format, live, account, access) during \`terraform plan\` and exposes the account, the access and the key's hint; being ephemeral, nothing of it is written to plan or state.\n`,
    example("rotation/main.tf"),
    schemaMarkdown(KEY_SCHEMA.attributes),
  ].join("\n");
  return {
    "index.md": index,
    [path.join("resources", `${short(DESTINATION_TYPE)}.md`)]: resource,
    [path.join("ephemeral-resources", `${short(KEY_TYPE)}.md`)]: ephemeral,
  };
}

if (require.main === module) {
  for (const [file, text] of Object.entries(renderRegistryDocs())) {
    const target = path.join(REGISTRY_DOCS_DIR, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    console.log(`wrote ${path.relative(process.cwd(), target)}`);
  }
}
