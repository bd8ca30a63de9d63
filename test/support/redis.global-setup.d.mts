// Types for redis.global-setup.mjs, for the specs that import it.
export declare const DEFAULT_TEST_REDIS_URL: string;
export interface TestRedis {
  url: string;
  /** TEST_REDIS_URL as given, a Redis already running at the probed URL, or one started for this run. */
  source: 'TEST_REDIS_URL' | 'running' | 'private';
  /** The private redis-server's process id (only when source is 'private'). */
  pid?: number;
  /** Stops and removes the private redis-server; does nothing to a Redis it did not start. */
  stop(): Promise<void>;
}
export declare function redisAnswers(url: string, timeoutMs?: number): Promise<boolean>;
export declare function provideTestRedis(options?: {
  env?: Record<string, string | undefined>;
  probeUrl?: string;
  log?: (line: string) => void;
}): Promise<TestRedis>;
export default function globalSetup(): Promise<void>;
export declare function globalTeardown(): Promise<void>;
