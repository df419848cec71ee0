/**
 * Loads a CommonJS bundle through V8's code cache: the compiled code of the bundle's functions is
 * kept in a file and reused by the next process, instead of each process parsing and compiling the
 * whole bundle again. {@link ./host-entry} uses it for the provider's bundle.
 * @packageDocumentation
 */
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";

/** Options of {@link loadBundle}. */
export interface BundleLoadOptions {
  /** Where the cache file lives (the temporary folder in the provider host). */
  readonly cacheDir: string;
  /**
   * How long after loading the cache is written when there was none (or V8 rejected it), so that
   * the functions the first calls compiled are in it. The timer is unref'd (it never holds a process
   * open); the cache is also written when the process exits, whichever comes first.
   */
  readonly writeDelayMs: number;
}

interface ModuleInternals {
  new (id: string, parent?: NodeModule): NodeModule & { filename: string; paths: string[] };
  wrap(code: string): string;
  _nodeModulePaths(dir: string): string[];
}

/**
 * The cache file of `bundleFile`: named by Node version, architecture and the bundle's name, size
 * and modification time, so a rebuilt bundle or another Node never meets a stale cache (and V8
 * checks the source again before it uses one).
 */
export function bundleCacheFile(bundleFile: string, cacheDir: string): string {
  const stat = fs.statSync(bundleFile);
  const name = path.basename(bundleFile, ".js");
  return path.join(cacheDir, `pulumi-upstack-klaviyo-${name}-${process.version}-${process.arch}-${stat.size}-${Math.round(stat.mtimeMs)}.v8cache`);
}

/** What {@link loadBundle} did. */
export interface LoadedBundle {
  /** The bundle's `module.exports`. */
  readonly exports: unknown;
  /** `used`: compiled code came from the cache; `none`: there was no cache; `rejected`: V8 refused it (then it is rewritten). */
  readonly cache: "used" | "none" | "rejected";
}

/** Runs `bundleFile` as a CommonJS module (its `require` resolves from its own folder). */
export function loadBundle(bundleFile: string, options: BundleLoadOptions): LoadedBundle {
  const source = fs.readFileSync(bundleFile, "utf8");
  const cacheFile = bundleCacheFile(bundleFile, options.cacheDir);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const M = Module as unknown as ModuleInternals;
  const script = new vm.Script(M.wrap(source), { filename: bundleFile, ...(cachedData === undefined ? {} : { cachedData }) });
  const cache = cachedData === undefined ? "none" : script.cachedDataRejected === true ? "rejected" : "used";
  if (cache !== "used") {
    let written = false;
    const write = (): void => {
      if (written) return;
      written = true;
      try {
        const tmp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // A read-only cache folder only costs the next process the compile time.
      }
    };
    setTimeout(write, options.writeDelayMs).unref();
    process.once("exit", write);
  }
  const dir = path.dirname(bundleFile);
  const m = new M(bundleFile, module);
  m.filename = bundleFile;
  m.paths = M._nodeModulePaths(dir);
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeModule, filename: string, dirname: string) => void;
  run(m.exports, Module.createRequire(bundleFile), m, bundleFile, dir);
  return { exports: m.exports, cache };
}
