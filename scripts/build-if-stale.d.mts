// Types for scripts/build-if-stale.mjs, so the TypeScript spec can import its pure decision.
export declare const STAMP: string;
export type BuildDecision = { build: false } | { build: true; reason: string };
/** Directories in `sources` end with "/". */
export declare function decideBuild(stampMtimeMs: number | null, sources: { path: string; mtimeMs: number }[]): BuildDecision;
