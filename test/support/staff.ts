import { generate } from 'otplib';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { Moderator } from '../../src/auth/moderator.entity.js';
import type { ModeratorRole } from '../../src/auth/moderator-roles.js';
import { ModeratorsService } from '../../src/auth/moderators.service.js';
import { SealedBox } from '../../src/common/sealed-box.js';
import { TEST_SECRET, type TestApp } from './test-app.js';

export const STAFF_PASSWORD = 'initial password 123';
export const STAFF_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** The TOTP code for a moment, computed as an authenticator app would (otplib, RFC 6238 defaults). */
export const codeAt = (secret: string, offsetSeconds = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });

/** The CSRF token of the first staff form on a page. */
export const csrfIn = (html: string): string => {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no CSRF field in: ${html.slice(0, 300)}`);
  return match[1];
};

/** A moderator past first sign-in: own password, TOTP enrolled (sealed as the app seals it). */
export async function enrolledModerator(t: TestApp, name: string, role: ModeratorRole = 'moderator'): Promise<string> {
  await new ModeratorsService(t.dataSource).create(name, role, STAFF_PASSWORD, 'test');
  await t.dataSource.getRepository(Moderator).update(
    { name },
    {
      mustChangePassword: false,
      totpSecret: new SealedBox(Buffer.from(TEST_SECRET, 'utf8'), 'totp').seal(STAFF_TOTP_SECRET),
      totpEnrolledAt: new Date(),
    },
  );
  return STAFF_TOTP_SECRET;
}

/** Creates an enrolled moderator and signs them in (password, then TOTP): the agent keeps the session cookie. */
export async function signedInModerator(t: TestApp, name: string, role: ModeratorRole = 'moderator'): Promise<TestAgent> {
  const secret = await enrolledModerator(t, name, role);
  return signIn(t, name, secret);
}

/**
 * Signs an enrolled moderator in from a new browser. A code is accepted once, so a second sign-in of the
 * same person within one 30-second step takes the next step's code (`offsetSeconds` 30, inside the drift).
 */
export async function signIn(t: TestApp, name: string, secret: string, offsetSeconds = 0): Promise<TestAgent> {
  const agent = request.agent(t.server);
  const form = await agent.get('/login').expect(200);
  await agent
    .post('/login')
    .type('form')
    .send({ name, password: STAFF_PASSWORD, _csrf: csrfIn(form.text) })
    .expect(303)
    .expect('Location', '/login/totp');
  const page = await agent.get('/login/totp').expect(200);
  await agent
    .post('/login/totp')
    .type('form')
    .send({ code: await codeAt(secret, offsetSeconds), _csrf: csrfIn(page.text) })
    .expect(303)
    .expect('Location', '/dashboard');
  return agent;
}

/**
 * At the enrolment step after a second-factor reset: reads the new secret off the page, checks it is not
 * the old one, confirms it with a code and lands on the new recovery codes. Returns the new secret.
 */
export async function enrolAgain(agent: TestAgent, oldSecret: string): Promise<string> {
  const enrol = await agent.get('/login/enrol').expect(200);
  const fresh = /id="totp-secret">([A-Z2-7 ]+)</.exec(enrol.text)![1].replace(/ /g, '');
  expect(fresh).not.toBe(oldSecret);
  await agent
    .post('/login/enrol')
    .type('form')
    .send({ code: await codeAt(fresh), _csrf: csrfIn(enrol.text) })
    .expect(303)
    .expect('Location', '/dashboard/account/recovery-codes');
  return fresh;
}
