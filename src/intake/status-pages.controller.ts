import { Body, Controller, Get, Header, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { flattenValidationErrors } from '../common/validation.js';
import { MessageDto } from './dto/create-ticket.dto.js';
import { type FormBody } from './form-input.js';
import { CLOSED_REQUEST, StatusService } from './status.service.js';
import type { GithubCheckOutcome } from '../evidence/linked-identity-challenges.service.js';

/** What the page says after a successful action (the redirect's query names it). */
const NOTICES: Record<string, string> = {
  'sent=1': 'Thank you: your information was added to the request.',
  'code=passed': 'Thank you: the code is confirmed. The team will see that you can read that address.',
  'repository=started': 'Publish the branch or the file below, then press "Check now".',
  'repository=found': 'We found the token. Thank you: the team will take it into account.',
  'publisher=received': 'We received the token. Thank you: the team will take it into account.',
  'github=started': 'Enter the code below at GitHub and approve, then press "I have entered the code".',
  'github=done': 'You signed in to GitHub. Thank you: the team will take it into account.',
  'contested=1': "Understood: your request is now in the moderators' queue.",
};

/** What the page says after "I have entered the code", when the sign-in is not done. */
const GITHUB_ANSWERS: Record<Exclude<GithubCheckOutcome, 'signed_in'>, { status: number; text: string }> = {
  pending: { status: 200, text: 'GitHub is still waiting for you: enter the code at GitHub and approve, wait a few seconds, then press the button again.' },
  expired: { status: 200, text: 'The GitHub code expired before it was used. Start again to get a new one.' },
  denied: { status: 200, text: 'The sign-in was declined on GitHub. Start again if you still want to prove control of the GitHub account.' },
  unavailable: { status: 503, text: 'We could not reach GitHub just now. Please try again in a few minutes.' },
  locked: { status: 409, text: 'This GitHub sign-in was checked too often. Start again if you still want to.' },
};

/** The private status page behind the link only the requester has. */
@ApiExcludeController()
@Controller('status')
export class StatusPagesController {
  constructor(private readonly status: StatusService) {}

  @Get(':token')
  @Header('Cache-Control', 'no-store')
  @Header('X-Robots-Tag', 'noindex')
  async show(@Param('token') token: string, @Query() query: Record<string, string | undefined>, @Res() reply: FastifyReply) {
    const notice = Object.entries(query ?? {})
      .map(([key, value]) => NOTICES[`${key}=${value}`])
      .find(Boolean);
    return this.render(reply, token, 200, { notice });
  }

  @Post(':token/messages')
  @Header('Cache-Control', 'no-store')
  async message(@Param('token') token: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const dto = plainToInstance(MessageDto, { message: typeof body?.message === 'string' ? body.message : '' });
    const problems = flattenValidationErrors(await validate(dto));
    if (problems.length) return this.render(reply, token, 400, { messageError: problems[0].reasons[0], draft: dto.message });
    try {
      await this.status.addMessage(token, dto.message);
    } catch (error) {
      if (error instanceof DomainError && error.code === DomainErrorCode.Conflict) return this.render(reply, token, 409, { notice: error.message });
      throw error;
    }
    return reply.redirect(`/status/${token}?sent=1`, 303);
  }

  @Post(':token/code')
  @Header('Cache-Control', 'no-store')
  async code(@Param('token') token: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    return this.act(
      reply,
      token,
      async () => {
        const outcome = await this.status.submitCode(token, typeof body?.code === 'string' ? body.code : '');
        switch (outcome.result) {
          case 'passed':
            return { redirect: 'code=passed' };
          case 'wrong':
            return { status: 400, extra: { codeError: `That code is not right. ${outcome.triesLeft} ${outcome.triesLeft === 1 ? 'try' : 'tries'} left.` } };
          case 'locked':
            return {
              status: 400,
              extra: { codeError: 'That code is not right, and it was the last try: the code no longer works. The team can send a new one.' },
            };
          case 'none':
            return { status: 409, extra: { codeError: 'No code is waiting: codes expire after a while. The team can send a new one.' } };
        }
      },
      'codeError',
    );
  }

  @Post(':token/repositories')
  @Header('Cache-Control', 'no-store')
  async startRepository(@Param('token') token: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    return this.act(
      reply,
      token,
      async () => {
        await this.status.startRepositoryChallenge(token, typeof body?.repository === 'string' ? body.repository : '');
        return { redirect: 'repository=started' };
      },
      'repositoryError',
      { repositoryDraft: typeof body?.repository === 'string' ? body.repository.slice(0, 300) : '' },
    );
  }

  @Post(':token/repositories/:id/check')
  @Header('Cache-Control', 'no-store')
  async checkRepository(@Param('token') token: string, @Param('id') id: string, @Res() reply: FastifyReply) {
    return this.act(
      reply,
      token,
      async () => {
        const result = await this.status.checkRepositoryChallenge(token, id);
        switch (result.outcome) {
          case 'found':
            return { redirect: 'repository=found' };
          case 'not_found':
            return { status: 200, extra: { notice: 'We did not find the branch or the file yet. Publish it, wait a minute, and check again.' } };
          case 'unavailable':
            return { status: 503, extra: { notice: 'We could not ask the repository host just now. Please try again in a few minutes.' } };
          case 'manual':
            return { status: 200, extra: { notice: 'We cannot check this host automatically: a moderator will check the repository by hand.' } };
        }
      },
      'notice',
    );
  }

  /** Starts a trusted-publisher check: the page answers with the nonce and the workflow job, shown only this once. */
  @Post(':token/publisher')
  @Header('Cache-Control', 'no-store')
  async startPublisher(@Param('token') token: string, @Res() reply: FastifyReply) {
    return this.act(reply, token, async () => ({ status: 201, extra: { publisherStart: await this.status.startPublisherChallenge(token) } }), 'notice');
  }

  @Post(':token/publisher/token')
  @Header('Cache-Control', 'no-store')
  async publisherToken(@Param('token') token: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    return this.act(
      reply,
      token,
      async () => {
        const outcome = await this.status.submitPublisherToken(token, body?.id_token);
        switch (outcome.result) {
          case 'received':
            return { redirect: 'publisher=received' };
          case 'invalid':
            return {
              status: 400,
              extra: { publisherError: `That token does not work: ${outcome.reason}. ${outcome.triesLeft} ${outcome.triesLeft === 1 ? 'try' : 'tries'} left.` },
            };
          case 'locked':
            return { status: 400, extra: { publisherError: `That token does not work (${outcome.reason}), and it was the last try: start a new check.` } };
          case 'unavailable':
            return { status: 503, extra: { publisherError: "We could not fetch GitHub's signing keys just now. Please try again in a few minutes." } };
          case 'none':
            return {
              status: 409,
              extra: { publisherError: 'No trusted-publisher check is waiting: each nonce works once and for a limited time. Start a new check.' },
            };
        }
      },
      'publisherError',
    );
  }

  @Post(':token/github')
  @Header('Cache-Control', 'no-store')
  async startGithubIdentity(@Param('token') token: string, @Res() reply: FastifyReply) {
    return this.act(
      reply,
      token,
      async () => {
        const result = await this.status.startGithubIdentity(token);
        if (result.outcome === 'started') return { redirect: 'github=started' };
        return { status: 503, extra: { githubNotice: 'We could not reach GitHub just now. Please try again in a few minutes.' } };
      },
      'githubNotice',
    );
  }

  @Post(':token/github/:id/check')
  @Header('Cache-Control', 'no-store')
  async checkGithubIdentity(@Param('token') token: string, @Param('id') id: string, @Res() reply: FastifyReply) {
    return this.act(
      reply,
      token,
      async () => {
        const outcome = await this.status.checkGithubIdentity(token, id);
        return outcome === 'signed_in'
          ? { redirect: 'github=done' }
          : { status: GITHUB_ANSWERS[outcome].status, extra: { githubNotice: GITHUB_ANSWERS[outcome].text } };
      },
      'githubNotice',
    );
  }

  @Post(':token/contest')
  @Header('Cache-Control', 'no-store')
  async contest(@Param('token') token: string, @Res() reply: FastifyReply) {
    return this.act(
      reply,
      token,
      async () => {
        await this.status.contestRecoveryCodes(token);
        return { redirect: 'contested=1' };
      },
      'notice',
    );
  }

  @Post(':token/withdraw')
  @Header('Cache-Control', 'no-store')
  async withdraw(@Param('token') token: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    if (body?.confirm !== 'yes') return this.render(reply, token, 400, { notice: 'Tick the box to confirm that you want to withdraw the request.' });
    try {
      await this.status.withdraw(token);
    } catch (error) {
      if (error instanceof DomainError && error.code === DomainErrorCode.Conflict) return this.render(reply, token, 409, { notice: error.message });
      throw error;
    }
    return reply.redirect(`/status/${token}`, 303);
  }

  /**
   * Runs a requester's action and answers with a redirect (success) or the page with a message:
   * a validation problem is a 400 beside the field, a conflict a 409 notice.
   */
  private async act(
    reply: FastifyReply,
    token: string,
    work: () => Promise<{ redirect: string } | { status: number; extra: Record<string, unknown> }>,
    errorSlot: string,
    keep: Record<string, unknown> = {},
  ) {
    try {
      const outcome = await work();
      if ('redirect' in outcome) return reply.redirect(`/status/${token}?${outcome.redirect}`, 303);
      return this.render(reply, token, outcome.status, { ...keep, ...outcome.extra });
    } catch (error) {
      if (error instanceof DomainError && error.code === DomainErrorCode.ValidationFailed) {
        return this.render(reply, token, 400, { ...keep, [errorSlot]: error.details.errors?.[0]?.reasons[0] ?? error.message });
      }
      if (error instanceof DomainError && error.code === DomainErrorCode.Conflict) return this.render(reply, token, 409, { ...keep, notice: error.message });
      throw error;
    }
  }

  private async render(reply: FastifyReply, token: string, status: number, extra: Record<string, unknown>) {
    const ticket = await this.status.ticketFor(token);
    const view = await this.status.view(ticket);
    // A closed request shows no forms, so a message beside a field would not be seen: the closure is the answer
    // (found by npm run fuzz, docs/security.md #33).
    if (!view.open && status === 400)
      return reply.status(409).view('pages/status', { title: `Request ${view.reference}`, token, view, notice: CLOSED_REQUEST });
    return reply.status(status).view('pages/status', { title: `Request ${view.reference}`, token, view, ...extra });
  }
}
