import { Body, Controller, Get, Header, Post, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { CODE_OF_CONDUCT } from './code-of-conduct.js';
import { type FormBody, formValuesToShow, validateTicketForm } from './form-input.js';
import { FOLLOW_UP_MESSAGE } from './intake-api.controller.js';
import { IntakeService } from './intake.service.js';
import { REQUEST_TYPES } from '../tickets/ticket.types.js';

const REQUEST_TYPE_LABELS: Record<string, string> = {
  forgot_password: 'I forgot my password and cannot reset it',
  lost_2fa: 'I lost my two-factor device',
  lost_recovery_codes: 'I lost my recovery codes',
  lost_email_access: 'I lost access to the e-mail address on the account',
  compromised: 'Someone else took over my account',
};

const emptyForm = { has_2fa: 'unknown', has_recovery_codes: 'unknown' };

/** The requester's pages: the explanation, the Code of Conduct and the request form. */
@ApiExcludeController()
@Controller()
export class IntakePagesController {
  constructor(private readonly intake: IntakeService) {}

  @Get()
  @Render('pages/home')
  home() {
    return { title: 'Recover your account' };
  }

  @Get('code-of-conduct')
  @Render('pages/code-of-conduct')
  codeOfConduct() {
    return { title: CODE_OF_CONDUCT.title, coc: CODE_OF_CONDUCT };
  }

  @Get('recover')
  @Render('pages/recover')
  form() {
    return formPage(emptyForm, {});
  }

  @Post('recover')
  @Header('Cache-Control', 'no-store')
  async submit(@Body() body: FormBody, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const posted: Record<string, unknown> = typeof body === 'object' && body !== null ? body : {};
    const { dto, errors } = await validateTicketForm(posted);
    // Shown again as text only: the page renders anything the body held otherwise (a JSON object, deep arrays).
    const values = formValuesToShow(posted);
    if (!dto) return reply.status(400).view('pages/recover', formPage(values, errors));
    try {
      const result = await this.intake.submit(dto, request.ip);
      // As the API: 201 for a new request, 200 when it was added to an open one.
      return reply.status(result.kind === 'created' ? 201 : 200).view('pages/submitted', {
        title: 'Request received',
        reference: result.reference,
        statusUrl: result.kind === 'created' ? result.statusUrl : null,
        followUpMessage: result.kind === 'follow_up' ? FOLLOW_UP_MESSAGE : null,
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === DomainErrorCode.RateLimited) {
        reply.header('Retry-After', String(error.details.retryAfterSeconds));
        return reply
          .status(429)
          .view(
            'pages/recover',
            formPage(
              values,
              {},
              `Too many requests from here. Please wait about ${Math.ceil((error.details.retryAfterSeconds ?? 60) / 60)} minutes and try again.`,
            ),
          );
      }
      // A repeated request that the open one cannot take: too much claimed in all, or too many additions.
      if (error instanceof DomainError && error.code === DomainErrorCode.ValidationFailed) {
        const fieldErrors = Object.fromEntries((error.details.errors ?? []).map((e) => [e.field, e.reasons[0]]));
        return reply.status(400).view('pages/recover', formPage(values, fieldErrors));
      }
      if (error instanceof DomainError && error.code === DomainErrorCode.Conflict) {
        return reply.status(409).view('pages/recover', formPage(values, {}, error.message));
      }
      throw error;
    }
  }
}

function formPage(values: Record<string, unknown>, errors: Record<string, string>, banner?: string) {
  const errorList = Object.entries(errors).map(([field, message]) => ({ field, message }));
  return {
    title: 'Request account recovery',
    values,
    errors,
    errorList,
    banner,
    coc: CODE_OF_CONDUCT,
    requestTypes: REQUEST_TYPES.map((value) => ({ value, label: REQUEST_TYPE_LABELS[value], selected: values.request_type === value })),
  };
}
