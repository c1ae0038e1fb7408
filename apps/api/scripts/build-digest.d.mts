export declare const BUNDLED_FROM_FILE: string;
export declare function buildDigest(dir: string): string;
