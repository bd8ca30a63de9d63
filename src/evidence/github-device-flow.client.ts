import { type DeviceCode, readDeviceCode, readGithubUser, readTokenStep, type TokenStep } from './github-device-flow.js';

const TIMEOUT_MS = 10_000;

export type Unavailable = { unavailable: string };

/**
 * GitHub's OAuth device flow over HTTP, for the desk's OAuth app (a client id, no secret: the device
 * flow needs none). No scope is asked for: `GET /user` with such a token reads the public profile,
 * which holds the numeric id. The access token is used once, for that one request, and never kept.
 * Base URLs are configurable (GITHUB_OAUTH_URL, GITHUB_API_URL) for a stand-in in tests.
 */
export class GitHubDeviceFlowClient {
  constructor(
    private readonly oauthUrl: string,
    private readonly apiUrl: string,
    private readonly clientId: string,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  async start(): Promise<DeviceCode | Unavailable> {
    const answer = await this.post('/login/device/code', { client_id: this.clientId, scope: '' });
    if ('unavailable' in answer) return answer;
    if (answer.status !== 200) return { unavailable: `GitHub answered HTTP ${answer.status}` };
    return readDeviceCode(answer.body, this.oauthUrl) ?? { unavailable: 'GitHub answered without a usable device code' };
  }

  async poll(deviceCode: string, intervalSeconds: number): Promise<TokenStep> {
    const answer = await this.post('/login/oauth/access_token', {
      client_id: this.clientId,
      device_code: deviceCode,
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    });
    if ('unavailable' in answer) return { step: 'unavailable', reason: answer.unavailable };
    return readTokenStep(answer.status, answer.body, intervalSeconds);
  }

  /** Who signed in: the one use of the access token. */
  async user(accessToken: string): Promise<{ id: number; login: string } | Unavailable> {
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl}/user`, {
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${accessToken}`,
          'user-agent': 'recovery-desk',
          'x-github-api-version': '2022-11-28',
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return { unavailable: `GitHub did not answer: ${(error as Error).name}` };
    }
    const body: unknown = await response.json().catch(() => null);
    if (response.status !== 200) return { unavailable: `GitHub answered HTTP ${response.status} to GET /user` };
    return readGithubUser(body) ?? { unavailable: 'GitHub answered GET /user without a numeric id' };
  }

  private async post(path: string, form: Record<string, string>): Promise<{ status: number; body: unknown } | Unavailable> {
    try {
      const response = await fetch(`${this.oauthUrl}${path}`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'recovery-desk' },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    } catch (error) {
      return { unavailable: `GitHub did not answer: ${(error as Error).name}` };
    }
  }
}

export const GITHUB_DEVICE_FLOW = Symbol('GITHUB_DEVICE_FLOW');
