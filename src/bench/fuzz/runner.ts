import fc from 'fast-check';
import type { Endpoint, FuzzCase } from './endpoints.js';
import type { FuzzFixtures } from './fixtures.js';
import type { FuzzHttp, FuzzRequest, FuzzResponse } from './http.js';

/** Any answer slower than this is a failure of the run, as a 5xx is. */
export const SLOW_MS = 2000;
/** Cases are generated in chunks, each from its own seed derived from the run's: case i is the same for the same seed. */
const CHUNK = 100;

export interface Failure {
  index: number;
  why: string;
  request: FuzzRequest;
  label: string;
  response: FuzzResponse | null;
}

export interface EndpointResult {
  name: string;
  sent: number;
  statuses: Map<number, number>;
  serverErrors: number;
  slow: number;
  maxMs: number;
  p99Ms: number;
  failures: Failure[];
  seconds: number;
}

/** The seed of chunk `chunk` of a run with seed `seed` (a 32-bit mix, so that neighbouring chunks do not share a stream). */
export function chunkSeed(seed: number, chunk: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(chunk + 1, 0x85ebca6b)) | 0;
}

/** The cases `from` to `to` (excluded) of an endpoint's run with this seed. */
export function casesOf(endpoint: Endpoint, seed: number, from: number, to: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let chunk = Math.floor(from / CHUNK); chunk * CHUNK < to; chunk++) {
    const cases = fc.sample(endpoint.cases, { seed: chunkSeed(seed, chunk), numRuns: CHUNK });
    cases.forEach((c, i) => {
      const index = chunk * CHUNK + i;
      if (index >= from && index < to) out.push(c);
    });
  }
  return out;
}

/** Sends one case and returns the answer, or why it failed: a 5xx, an answer over SLOW_MS, no answer at all. */
export async function sendCase(
  endpoint: Endpoint,
  c: FuzzCase,
  fixtures: FuzzFixtures,
  http: FuzzHttp,
): Promise<{ request: FuzzRequest; response: FuzzResponse | null; why: string | null }> {
  const request = await endpoint.request(c, fixtures);
  let response: FuzzResponse;
  try {
    response = await http.send(request);
  } catch (error) {
    return { request, response: null, why: `no answer: ${(error as Error).message}` };
  }
  endpoint.settle(c, response, fixtures);
  if (response.status >= 500) return { request, response, why: `server error ${response.status}` };
  if (response.ms > SLOW_MS) return { request, response, why: `answered in ${Math.round(response.ms)} ms (over ${SLOW_MS} ms)` };
  return { request, response, why: null };
}

export interface RunOptions {
  runs: number;
  seed: number;
  concurrency: number;
  /** Called every few hundred answers with how many are done. */
  progress?: (done: number) => void;
}

/** Sends `runs` generated requests to one endpoint, `concurrency` at a time, and tallies the answers. */
export async function runEndpoint(endpoint: Endpoint, fixtures: FuzzFixtures, http: FuzzHttp, options: RunOptions): Promise<EndpointResult> {
  const started = performance.now();
  const result: EndpointResult = { name: endpoint.name, sent: 0, statuses: new Map(), serverErrors: 0, slow: 0, maxMs: 0, p99Ms: 0, failures: [], seconds: 0 };
  const latencies: number[] = [];
  for (let from = 0; from < options.runs; from += CHUNK) {
    const cases = casesOf(endpoint, options.seed, from, Math.min(options.runs, from + CHUNK));
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const i = next++;
        const { request, response, why } = await sendCase(endpoint, cases[i], fixtures, http);
        result.sent++;
        if (response) {
          latencies.push(response.ms);
          result.statuses.set(response.status, (result.statuses.get(response.status) ?? 0) + 1);
          if (response.status >= 500) result.serverErrors++;
          if (response.ms > SLOW_MS) result.slow++;
        } else {
          result.statuses.set(0, (result.statuses.get(0) ?? 0) + 1);
        }
        if (why) result.failures.push({ index: from + i, why, request, label: cases[i].payload.label, response });
        if (result.sent % 250 === 0) options.progress?.(result.sent);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, cases.length) }, worker));
  }
  latencies.sort((a, b) => a - b);
  result.maxMs = latencies.at(-1) ?? 0;
  result.p99Ms = latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] : 0;
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** A request as text for a failure report: method, path, headers and the body (JSON-escaped, long ones cut). */
export function describeRequest(request: FuzzRequest, limit = 2000): string {
  const body =
    request.body === undefined
      ? ''
      : Buffer.isBuffer(request.body)
        ? `<${request.body.length} bytes> ${request.body.toString('hex').slice(0, limit)}`
        : request.body;
  const shown = typeof body === 'string' && body.length > limit ? `${JSON.stringify(body.slice(0, limit))}… (${body.length} characters)` : JSON.stringify(body);
  const path = request.path.length > 300 ? `${request.path.slice(0, 300)}… (${request.path.length} characters)` : request.path;
  return `${request.method} ${path}\n    headers: ${JSON.stringify(request.headers)}\n    body: ${shown}`;
}

/** The status histogram in one line: "201×812 400×9100 …". */
export function histogram(statuses: Map<number, number>): string {
  return [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status === 0 ? 'no answer' : status}×${count}`)
    .join(' ');
}
