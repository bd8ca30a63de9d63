import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type LinkState, ResetsService } from './resets.service.js';

type Form = Record<string, unknown> | undefined;

const STOP_ANSWERS: Record<Exclude<LinkState, 'valid'>, { status: number; title: string; message: string }> = {
  unknown: { status: 404, title: 'This link does not work', message: 'The link is not known here. Copy it again from the e-mail, in full.' },
  used: {
    status: 410,
    title: 'The recovery is already complete',
    message: 'A new password was already set. If this was not you, reply to the e-mail at once.',
  },
  stopped: { status: 410, title: 'The recovery is no longer running', message: 'It was stopped or closed already: no reset link will be sent for it.' },
  expired: { status: 410, title: 'The recovery is no longer running', message: 'It was stopped or closed already.' },
};

const RESET_ANSWERS: Record<Exclude<LinkState, 'valid'>, { status: number; title: string; message: string }> = {
  unknown: {
    status: 404,
    title: 'This link does not work',
    message: 'The link is not known here, or a newer link replaced it. Copy the newest link from your e-mail, in full.',
  },
  used: { status: 410, title: 'This link was used already', message: 'A reset link works once. Sign in on the package index with the password you set.' },
  expired: {
    status: 410,
    title: 'This link has expired',
    message: "Reset links work for a limited time. Reply to the e-mail or add a message on your request's status page to ask for a new one.",
  },
  stopped: {
    status: 410,
    title: 'This recovery was stopped',
    message: 'Someone reading an address on the account stopped it, or the request was closed. The link no longer works.',
  },
};

/**
 * The requester's and the account owner's side of a recovery: the stop link (every address on file
 * gets it) and the reset link. No session, no cookie; the token in the path is the only key, so every
 * answer is no-store, no-referrer (docs/security.md #9) and kept out of search engines.
 */
@ApiExcludeController()
@Controller()
export class ResetPagesController {
  constructor(private readonly resets: ResetsService) {}

  /** Shows a button: mail scanners fetch links, so a GET must never stop anything. */
  @Get('recovery/stop/:token')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('X-Robots-Tag', 'noindex')
  async stopPage(@Param('token') token: string, @Res() reply: FastifyReply) {
    const link = await this.resets.stopLinkState(token);
    if (link.state !== 'valid') return this.answer(reply, STOP_ANSWERS[link.state]);
    return reply.view('pages/recovery-stop', { title: 'Stop this recovery', username: link.username, token });
  }

  @Post('recovery/stop/:token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async stop(@Param('token') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const outcome = await this.resets.stop(token, request.ip);
    if (outcome !== 'valid') return this.answer(reply, STOP_ANSWERS[outcome]);
    return reply.view('pages/notice', {
      title: 'The recovery is stopped',
      message:
        'No reset link will be sent. Sign in and check that your password and two-factor authentication still work; the e-mail you received says whom to contact.',
    });
  }

  @Get('reset/:token')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('X-Robots-Tag', 'noindex')
  async resetPage(@Param('token') token: string, @Res() reply: FastifyReply) {
    const link = await this.resets.resetLinkState(token);
    if (link.state !== 'valid') return this.answer(reply, RESET_ANSWERS[link.state]);
    return reply.view('pages/reset-password', { title: 'Set a new password', username: link.username, token, errors: {} });
  }

  @Post('reset/:token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async reset(@Param('token') token: string, @Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const outcome = await this.resets.redeem(token, body?.password, body?.confirmation, request.ip);
    if (outcome.ok) {
      // No session and no cookie: the owner signs in on the package index as usual (docs/security.md #10).
      return reply.view('pages/notice', {
        title: 'Your new password is set',
        message:
          'Sign in on the package index with it. Two-factor authentication and recovery codes were removed: add a second factor again right away and save the new recovery codes.',
      });
    }
    if ('state' in outcome) return this.answer(reply, RESET_ANSWERS[outcome.state as Exclude<LinkState, 'valid'>]);
    const link = await this.resets.resetLinkState(token);
    return reply.status(400).view('pages/reset-password', {
      title: 'Set a new password',
      username: link.username,
      token,
      errors: { [outcome.field]: outcome.reason },
    });
  }

  private answer(reply: FastifyReply, answer: { status: number; title: string; message: string }) {
    return reply.status(answer.status).view('pages/error', { ...answer });
  }
}
