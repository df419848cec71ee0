/**
 * Carries a key's successful validation from one provider process of a
 * Terraform run to the next. `terraform apply` plans in one provider process
 * and, in another, plans each resource again before applying it (with the
 * state's private data, not the plan's), so without this a changed key is
 * asked of Klaviyo twice per apply, seconds apart.
 *
 * A run is the Terraform process that started this provider: its process id
 * and, on Linux, its start time (so a reused process id is another run). A
 * validation is kept for the run's later processes only, and only for
 * {@link CARRY_TTL_MS}: a saved plan applied by a later `terraform apply`,
 * or an apply confirmed after the TTL, validates again.
 *
 * Files hold what state already holds (fingerprint, hint, Klaviyo account
 * and key ids, how access was established), never a key. They live in a
 * folder of this user's that nobody else can open
 * (`<tmpdir>/upstack-klaviyo-<uid>`, mode 0700); when that folder is not
 * one (another owner, a symbolic link, wider permissions) or the platform
 * has no user ids (Windows), nothing is carried and each process asks
 * Klaviyo, as before.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as z from "zod";
import type { KeyValidation, ValidationCarry } from "./destination-adapter";

/** How long a carried validation stays usable. */
export const CARRY_TTL_MS = 10 * 60_000;

/** Options of {@link terraformRunCarry}; all have defaults. */
export interface RunCarryOptions {
  /** The folder (default `<tmpdir>/upstack-klaviyo-<uid>`). */
  readonly dir?: string;
  /** The run (default: Terraform's process id and, on Linux, its start time). */
  readonly runId?: string;
  /** How long a validation stays usable (default {@link CARRY_TTL_MS}). */
  readonly ttlMs?: number;
  /** The clock (default Date.now). */
  readonly now?: () => number;
}

const carriedSchema = z.object({
  at: z.number(),
  validation: z.object({
    fingerprint: z.string(),
    hint: z.string(),
    accountId: z.string(),
    accountName: z.string().optional(),
    keyId: z.string().optional(),
    keyName: z.string().optional(),
    accessCheck: z.string(),
    unverifiedScopes: z.array(z.string()),
    validatedAt: z.string(),
  }),
});

/** The Terraform process that started this one, as a file-name-safe id; undefined when there is none (re-parented to init). */
export function parentRunId(): string | undefined {
  const ppid = process.ppid;
  if (ppid <= 1) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${ppid}/stat`, "utf8");
    const startTime = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    if (startTime !== undefined && /^\d+$/.test(startTime)) return `${ppid}-${startTime}`;
  } catch {
    // No /proc (macOS): the process id alone, bounded by the TTL.
  }
  return String(ppid);
}

/** Whether `dir` is a real folder of this user's that nobody else can open, making it (0700) when absent. */
function privateFolder(dir: string, uid: number): boolean {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return false;
  }
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/**
 * The carry between this Terraform run's provider processes, or undefined
 * when there is no run to carry within (no user ids, no parent). The folder
 * is checked on first use; every failure to read or write means "not
 * carried", never an error.
 */
export function terraformRunCarry(options: RunCarryOptions = {}): ValidationCarry | undefined {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const runId = options.runId ?? parentRunId();
  if (uid === undefined || runId === undefined) return undefined;
  const dir = options.dir ?? path.join(os.tmpdir(), `upstack-klaviyo-${uid}`);
  const ttlMs = options.ttlMs ?? CARRY_TTL_MS;
  const now = options.now ?? Date.now;
  let usable: boolean | undefined;
  // Expired files are pruned once per process, on its first keep: a plan that validates many keys lists the folder once.
  let pruned = false;
  const ready = (): boolean => (usable ??= privateFolder(dir, uid));
  const file = (cacheKey: string): string => path.join(dir, `${runId}-${createHash("sha256").update(cacheKey).digest("hex").slice(0, 32)}.json`);
  return {
    take(cacheKey) {
      if (!ready()) return undefined;
      let parsed: z.infer<typeof carriedSchema>;
      try {
        parsed = carriedSchema.parse(JSON.parse(fs.readFileSync(file(cacheKey), "utf8")));
      } catch {
        return undefined;
      }
      const age = now() - parsed.at;
      if (age < 0 || age > ttlMs) return undefined;
      const v = parsed.validation;
      return { ...v, accountName: v.accountName, keyId: v.keyId, keyName: v.keyName };
    },
    keep(cacheKey, validation: KeyValidation) {
      if (!ready()) return;
      const target = file(cacheKey);
      const temporary = `${target}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(temporary, JSON.stringify({ at: now(), validation }), { mode: 0o600 });
        fs.renameSync(temporary, target);
        if (!pruned) {
          pruned = true;
          prune(dir, ttlMs, now());
        }
      } catch {
        try {
          fs.rmSync(temporary, { force: true });
        } catch {
          // Nothing was written.
        }
      }
    },
  };
}

/** Removes carried validations older than the TTL (any run's). */
function prune(dir: string, ttlMs: number, at: number): void {
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith(".json")) continue;
    const p = path.join(dir, name);
    try {
      if (at - fs.statSync(p).mtimeMs > ttlMs) fs.rmSync(p, { force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}
