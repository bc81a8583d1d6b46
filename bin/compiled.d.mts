/** Types of bin/compiled.mjs (plain JavaScript: it runs before anything is compiled). */
export interface CompiledBuild {
  /** The published build's folder. */
  dir: string;
  /** Each entry point's compiled file, by name. */
  entries: Record<string, string>;
  /** True when this call compiled it, false when the build on disk was current. */
  built: boolean;
}
export interface BuildOptions {
  /** The repository (default: this one). */
  root?: string;
  /** Entry points by name, relative to root (default: ENTRIES). */
  entries?: Record<string, string>;
}
export declare const ENTRIES: Record<'filiera' | 'start' | 'demo' | 'processing-worker', string>;
export declare const COMPILED_ENTRIES: unique symbol;
export declare function compiledDir(root?: string): string;
export declare function freshBuild(options?: BuildOptions): CompiledBuild | undefined;
export declare function build(options?: BuildOptions): Promise<CompiledBuild>;
export declare function ensureBuilt(options?: BuildOptions): Promise<CompiledBuild>;
export declare function runCompiled(name: keyof typeof ENTRIES): Promise<void>;
