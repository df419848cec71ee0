/**
 * Which destinations of this provider process want which key (by fingerprint), as their checks
 * and writes went by: so that retiring a replaced key can refuse when another destination of the
 * same run still uses it (several stores sharing one key, one of them rotated). It only knows what
 * this process saw; destinations of other stacks, or not yet checked, are not in it — the README
 * states that residual risk.
 */
export class KeysInUse {
  private readonly owners = new Map<string, Set<string>>();

  /** Records that the destination managed by `owner` wants the key with `fingerprint`. */
  note(fingerprint: string, owner: string): void {
    let set = this.owners.get(fingerprint);
    if (set === undefined) {
      set = new Set();
      this.owners.set(fingerprint, set);
    }
    set.add(owner);
  }

  /** Forgets that `owner` wants `fingerprint` (it moved to another key). */
  forget(fingerprint: string, owner: string): void {
    this.owners.get(fingerprint)?.delete(owner);
  }

  /** The other destinations (owners) known to want `fingerprint`. */
  othersUsing(fingerprint: string, owner: string): string[] {
    return [...(this.owners.get(fingerprint) ?? [])].filter((o) => o !== owner).sort();
  }
}
