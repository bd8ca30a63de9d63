import type {} from '@fastify/csrf-protection'; // adds reply.generateCsrf() to Fastify's types
import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MODERATOR_ROLES } from './moderator-roles.js';
import { MAX_PASSKEYS_PER_MODERATOR, parseAssertion, parseAttestation, passkeyName } from './passkey-rules.js';
import { PasskeysService } from './passkeys.service.js';
import { Roles } from './roles.guard.js';
import { SignInService, type StepOutcome } from './sign-in.service.js';

type Json = Record<string, unknown> | undefined;

const NOTICES: Record<string, string> = {
  added: 'Your passkey was added. At your next sign-in you can use it instead of a code.',
  removed: 'The passkey was removed.',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What an existing passkey confirms here: adding another, nothing else (docs/security.md #15). */
const ADD_PASSKEY = { action: 'add-passkey' };

/**
 * Each person's own sign-in security (docs/moderation.md, "Passkeys"): their passkeys, adding one after
 * a fresh TOTP code or a passkey they already have, removing one. Adding runs in the page's script
 * (views/static/passkeys.js): the code (or an existing passkey's answer to /confirm-options' challenge)
 * and the name go to /options, which answers the WebAuthn challenge; the authenticator's answer comes
 * back as JSON. Everything here acts on the signed-in person only.
 */
@ApiExcludeController()
@Controller('account/security')
@Roles(...MODERATOR_ROLES)
export class AccountSecurityController {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly signIn: SignInService,
  ) {}

  @Get()
  async show(@Query('notice') notice: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const staff = request.session.staff!;
    const passkeys = await this.passkeys.list(staff.id);
    return reply.header('Cache-Control', 'no-store').view('pages/account-security', {
      title: 'Your sign-in security',
      staff,
      passkeys,
      hasPasskeys: passkeys.length > 0,
      canAdd: passkeys.length < MAX_PASSKEYS_PER_MODERATOR,
      maxPasskeys: MAX_PASSKEYS_PER_MODERATOR,
      notice: notice !== undefined && Object.hasOwn(NOTICES, notice) ? NOTICES[notice] : undefined,
      csrfToken: reply.generateCsrf(),
    });
  }

  /**
   * Confirming with a passkey instead of the code, step one: the challenge for navigator.credentials.get()
   * over the person's passkeys, good in this session only, once, for 5 minutes, and only for adding a passkey.
   */
  @Post('passkeys/confirm-options')
  async confirmOptions(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const options = await this.passkeys.authenticationOptions(request.session.sessionId, request.session.staff!.id, ADD_PASSKEY);
    if (!options) return reply.status(409).send({ error: 'You have no passkey yet: type the code from your authenticator app.', field: 'code' });
    return reply.status(200).send(options);
  }

  /**
   * Adding, step one: the name and a fresh code, or an existing passkey's answer (`assertion`) to this
   * session's confirm-options challenge (re-authentication, counted like a sign-in try either way);
   * answers the creation options.
   */
  @Post('passkeys/options')
  async registrationOptions(@Body() body: Json, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const staff = request.session.staff!;
    const name = passkeyName(body?.name);
    if ('problem' in name) return reply.status(400).send({ error: name.problem, field: 'name' });
    const byPasskey = body?.assertion !== undefined;
    let outcome: StepOutcome;
    if (byPasskey) {
      const assertion = parseAssertion(body.assertion);
      if ('problem' in assertion) return reply.status(400).send({ error: assertion.problem, field: 'assertion' });
      const sessionId = request.session.sessionId;
      outcome = await this.signIn.checkPasskey(
        staff.id,
        request.ip,
        async () => (await this.passkeys.verifyAssertion(sessionId, staff.id, assertion.ok, ADD_PASSKEY)).ok,
      );
    } else {
      if (typeof body?.code !== 'string' || !body.code.trim()) return reply.status(400).send({ error: 'code is required', field: 'code' });
      outcome = await this.signIn.checkTotp(staff.id, body.code, request.ip);
    }
    const field = byPasskey ? 'assertion' : 'code';
    if (outcome.kind === 'locked') {
      reply.header('Retry-After', String(outcome.retryAfterSeconds));
      return reply.status(429).send({ error: `Too many failed tries. Please wait about ${Math.ceil(outcome.retryAfterSeconds / 60)} minutes.`, field });
    }
    if (outcome.kind !== 'ok') {
      const error = byPasskey
        ? 'That passkey could not be verified: confirm with it again, or type a code.'
        : outcome.refusal === 'used'
          ? 'That code was used already: wait for the next one.'
          : 'That code is not right: use the newest one.';
      return reply.status(401).send({ error, field });
    }
    const options = await this.passkeys.registrationOptions(request.session.sessionId, outcome.moderator, name.name, byPasskey ? 'passkey' : 'totp');
    if (!options) return reply.status(409).send({ error: `You have ${MAX_PASSKEYS_PER_MODERATOR} passkeys already: remove one first.` });
    return reply.status(200).send(options);
  }

  /** Adding, step two: the authenticator's answer to this session's challenge. */
  @Post('passkeys')
  async register(@Body() body: Json, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const staff = request.session.staff!;
    const credential = parseAttestation(body?.credential);
    if ('problem' in credential) return reply.status(400).send({ error: credential.problem, field: 'credential' });
    const moderator = await this.signIn.findModerator(staff.id);
    const result = await this.passkeys.register(request.session.sessionId, moderator!, credential.ok, request.ip);
    if (result.kind === 'refused') return reply.status(409).send({ error: `The passkey was not added: ${result.reason}.` });
    return reply.status(201).send({ redirect: '/account/security?notice=added' });
  }

  @Post('passkeys/:id/delete')
  async remove(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const staff = request.session.staff!;
    const moderator = UUID.test(id) ? await this.signIn.findModerator(staff.id) : null;
    if (!moderator || !(await this.passkeys.remove(moderator, id, request.ip)))
      return reply
        .status(404)
        .view('pages/error', { title: 'No such passkey', message: 'You have no passkey with that id (it may be removed already).', status: 404, staff });
    return reply.redirect('/account/security?notice=removed', 303);
  }
}
