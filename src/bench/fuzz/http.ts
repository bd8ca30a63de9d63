import { Agent, request } from 'node:http';

/** One request as the fuzzer sends it: the path (already percent-encoded) and headers exactly as given, the body as bytes. */
export interface FuzzRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface FuzzResponse {
  status: number;
  /** Milliseconds from the first byte sent to the last byte received. */
  ms: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text, cut at 200 KB (pages are far smaller). */
  text: string;
}

/**
 * A plain node:http client (no fetch): it sends paths, header values and bodies verbatim, where fetch
 * would normalise them, and keeps its connections alive like a browser.
 */
export class FuzzHttp {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  private readonly url: URL;

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
  }

  send(req: FuzzRequest, timeoutMs = 60_000): Promise<FuzzResponse> {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    const headers: Record<string, string> = { ...req.headers };
    if (body !== undefined) headers['Content-Length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const outgoing = request(
        { host: this.url.hostname, port: this.url.port, method: req.method, path: req.path, headers, agent: this.agent, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= 200_000) chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header (attributes dropped). */
export function cookiesOf(res: FuzzResponse, previous = ''): string {
  const jar = new Map(
    previous
      .split('; ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair] as const),
  );
  const set = res.headers['set-cookie'];
  for (const line of Array.isArray(set) ? set : set ? [set] : []) {
    const pair = line.split(';')[0];
    jar.set(pair.slice(0, pair.indexOf('=')), pair);
  }
  return [...jar.values()].join('; ');
}
