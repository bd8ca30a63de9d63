// A moderator for the bench, signed in through the real /login pages (password, then TOTP) over HTTP:
// the staff pages are then measured with the session cookie a browser would hold, through the real guard.
// The same steps as test/support/staff.ts, which the bench (built from src/ only) cannot import.
import type { INestApplication } from '@nestjs/common';
import { generate, generateSecret } from 'otplib';
import { DataSource } from 'typeorm';
import type { ModeratorRole } from '../auth/moderator-roles.js';
import { Moderator } from '../auth/moderator.entity.js';
import { ModeratorsService } from '../auth/moderators.service.js';
import { SignInService } from '../auth/sign-in.service.js';

const PASSWORD = 'bench password 0123456789';

/** Cookies kept by name, as a browser would (no paths, domains or expiry: one host, one short run). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function csrfIn(html: string, page: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no CSRF field on ${page}: ${html.slice(0, 200)}`);
  return match[1];
}

/**
 * Creates staff account `name` (a moderator unless `role` says otherwise) with the app's own services (as
 * the CLI does, then enrolled as first sign-in would leave it: own password, TOTP secret sealed by the
 * app) and signs in at `baseUrl` over HTTP. Returns the Cookie header of the signed-in session.
 */
export async function signedInModerator(app: INestApplication, baseUrl: string, name: string, role: ModeratorRole = 'moderator'): Promise<string> {
  const dataSource = app.get(DataSource);
  const secret = generateSecret();
  await new ModeratorsService(dataSource).create(name, role, PASSWORD, 'bench');
  await dataSource.getRepository(Moderator).update(
    { name },
    {
      mustChangePassword: false,
      totpSecret: app.get(SignInService).sealTotpSecret(secret),
      totpEnrolledAt: new Date(),
    },
  );
  const jar = new CookieJar();
  const get = async (path: string) => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { cookie: jar.header() }, redirect: 'manual' });
    jar.take(response);
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
    return response.text();
  };
  const post = async (path: string, form: Record<string, string>, expected: string) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams(form).toString(),
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    jar.take(response);
    const location = response.headers.get('location');
    if (response.status !== 303 || location !== expected) throw new Error(`POST ${path} answered ${response.status} ${location ?? ''}, not 303 ${expected}`);
  };
  await post('/login', { name, password: PASSWORD, _csrf: csrfIn(await get('/login'), '/login') }, '/login/totp');
  const code = await generate({ secret });
  await post('/login/totp', { code, _csrf: csrfIn(await get('/login/totp'), '/login/totp') }, '/dashboard');
  return jar.header();
}
