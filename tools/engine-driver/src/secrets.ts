// Secret values as the Pulumi engine represents them: on the wire (and in our in-memory state) a
// secret is `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value }`;
// in the state file the value is replaced by an encrypted `ciphertext` (passphrase secrets manager).
import * as crypto from "node:crypto";
import * as fs from "node:fs";

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isSecret(v: unknown): v is { [SIG_KEY]: string; value: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG && "value" in v;
}

export function wrapSecret(v: Json): Json {
  return isSecret(v) ? v : { [SIG_KEY]: SECRET_SIG, value: v };
}

/** Deep copy with every secret wrapper removed (what a provider with acceptSecrets=false receives). */
export function unwrapSecrets(v: Json): Json {
  if (isSecret(v)) return unwrapSecrets(v.value);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (typeof v === "object" && v !== null) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = unwrapSecrets(x);
    return out;
  }
  return v;
}

export function unwrapObject(v: JsonObject): JsonObject {
  return unwrapSecrets(v) as JsonObject;
}

export function containsSecret(v: Json): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (typeof v === "object" && v !== null) return Object.values(v).some(containsSecret);
  return false;
}

export function containsUnknown(v: Json): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (typeof v === "object" && v !== null) return Object.values(v).some(containsUnknown);
  return false;
}

/** Top-level property names whose value is (or contains) a secret. */
export function secretKeys(o: JsonObject): string[] {
  return Object.keys(o).filter((k) => containsSecret(o[k] ?? null));
}

/** Collect every plaintext secret value (as strings) in a value. */
export function secretPlaintexts(v: Json): string[] {
  const out: string[] = [];
  const walk = (x: Json, inSecret: boolean): void => {
    if (isSecret(x)) return walk(x.value, true);
    if (Array.isArray(x)) return x.forEach((y) => walk(y, inSecret));
    if (typeof x === "object" && x !== null) return Object.values(x).forEach((y) => walk(y, inSecret));
    if (inSecret && x !== null && String(x).length > 0) out.push(String(x));
  };
  walk(v, false);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Passphrase secrets manager: scrypt-derived key, AES-256-GCM, "v1:<iv>:<ciphertext+tag>".

const keyCache = new Map<string, Buffer>();

function deriveKey(passphrase: string, salt: Buffer): Buffer {
  const cacheKey = `${passphrase}\u0000${salt.toString("base64")}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = crypto.scryptSync(passphrase, salt, 32, { N: 16384, r: 8, p: 1 });
    keyCache.set(cacheKey, key);
  }
  return key;
}

export class SecretsManager {
  private constructor(
    private readonly key: Buffer,
    /** `v1:<salt>:<encrypted "pulumi">`, stored in the state as secrets_providers.state.salt. */
    readonly saltState: string,
  ) {}

  static create(passphrase: string): SecretsManager {
    const salt = crypto.randomBytes(8);
    const key = deriveKey(passphrase, salt);
    const probe = encryptWith(key, "pulumi");
    return new SecretsManager(key, `v1:${salt.toString("base64")}:${probe}`);
  }

  /** Re-open a manager from the salt state in a state file; throws on a wrong passphrase. */
  static fromState(passphrase: string, saltState: string): SecretsManager {
    const parts = saltState.split(":");
    if (parts[0] !== "v1" || parts.length < 3) throw new Error(`unsupported secrets salt ${saltState}`);
    const key = deriveKey(passphrase, Buffer.from(parts[1] ?? "", "base64"));
    const probe = parts.slice(2).join(":");
    let ok: boolean;
    try {
      ok = decryptWith(key, probe) === "pulumi";
    } catch {
      ok = false;
    }
    if (!ok) throw new Error("incorrect passphrase: cannot decrypt the state's secrets");
    return new SecretsManager(key, saltState);
  }

  encrypt(plaintext: string): string {
    return encryptWith(this.key, plaintext);
  }

  decrypt(ciphertext: string): string {
    return decryptWith(this.key, ciphertext);
  }

  /** In-memory wire value -> state file value (secret values encrypted in place). */
  encryptDeep(v: Json): Json {
    if (isSecret(v)) return { [SIG_KEY]: SECRET_SIG, ciphertext: this.encrypt(JSON.stringify(v.value)) };
    if (Array.isArray(v)) return v.map((x) => this.encryptDeep(x));
    if (typeof v === "object" && v !== null) {
      const out: JsonObject = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.encryptDeep(x);
      return out;
    }
    return v;
  }

  /** State file value -> in-memory wire value. */
  decryptDeep(v: Json): Json {
    if (typeof v === "object" && v !== null && !Array.isArray(v) && v[SIG_KEY] === SECRET_SIG && typeof v["ciphertext"] === "string") {
      return { [SIG_KEY]: SECRET_SIG, value: JSON.parse(this.decrypt(v["ciphertext"])) as Json };
    }
    if (Array.isArray(v)) return v.map((x) => this.decryptDeep(x));
    if (typeof v === "object" && v !== null) {
      const out: JsonObject = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.decryptDeep(x);
      return out;
    }
    return v;
  }
}

function encryptWith(key: Buffer, plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `v1:${iv.toString("base64")}:${ct.toString("base64")}`;
}

function decryptWith(key: Buffer, ciphertext: string): string {
  const [v, ivB64, ctB64] = ciphertext.split(":");
  if (v !== "v1" || ivB64 === undefined || ctB64 === undefined) throw new Error("malformed ciphertext");
  const data = Buffer.from(ctB64, "base64");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(ivB64, "base64"));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8");
}

// ---------------------------------------------------------------------------------------------

export interface SecretOccurrence {
  /** The secret found (as given). */
  secret: string;
  /** Label of the haystack: the file path, or the key of the haystack record. */
  where: string;
  /** Character offset of the occurrence. */
  index: number;
  /** Up to 40 characters either side, the secret replaced by `<SECRET>`. */
  context: string;
}

/**
 * Find every occurrence of any secret in the haystacks. A haystack is a string (labelled by its
 * index, `#0`...), a `{ label: text }` record, or `{ file: path }` (read now; a missing file is
 * skipped). Also matches the base64 and JSON-escaped forms of each secret. Empty secrets are ignored.
 */
export function findSecrets(
  haystacks: ReadonlyArray<string | { file: string }> | Readonly<Record<string, string>>,
  secrets: ReadonlyArray<string>,
): SecretOccurrence[] {
  const entries: Array<[string, string]> = [];
  if (Array.isArray(haystacks)) {
    (haystacks as ReadonlyArray<string | { file: string }>).forEach((h, i) => {
      if (typeof h === "string") entries.push([`#${i}`, h]);
      else if (fs.existsSync(h.file)) entries.push([h.file, fs.readFileSync(h.file, "utf8")]);
    });
  } else {
    for (const [k, v] of Object.entries(haystacks as Record<string, string>)) entries.push([k, v]);
  }
  const out: SecretOccurrence[] = [];
  for (const secret of secrets) {
    if (!secret) continue;
    const forms = new Set([secret, Buffer.from(secret).toString("base64"), JSON.stringify(secret).slice(1, -1)]);
    for (const [where, text] of entries) {
      for (const form of forms) {
        let i = text.indexOf(form);
        while (i >= 0) {
          const context = (text.slice(Math.max(0, i - 40), i) + "<SECRET>" + text.slice(i + form.length, i + form.length + 40)).replace(/\s+/g, " ");
          out.push({ secret, where, index: i, context });
          i = text.indexOf(form, i + form.length);
        }
      }
    }
  }
  return out;
}
