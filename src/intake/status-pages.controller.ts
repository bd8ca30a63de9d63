import { Body, Controller, Get, Header, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { flattenValidationErrors } from '../common/validation.js';
import { MessageDto } from './dto/create-ticket.dto.js';
import { type FormBody } from './form-input.js';
import { StatusService } from './status.service.js';

/** The private status page behind the link only the requester has. */
@ApiExcludeController()
@Controller('status')
export class StatusPagesController {
  constructor(private readonly status: StatusService) {}

  @Get(':token')
  @Header('Cache-Control', 'no-store')
  @Header('X-Robots-Tag', 'noindex')
  async show(@Param('token') token: string, @Query('sent') sent: string | undefined, @Res() reply: FastifyReply) {
    return this.render(reply, token, 200, { notice: sent ? 'Thank you: your information was added to the request.' : undefined });
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

  private async render(reply: FastifyReply, token: string, status: number, extra: Record<string, unknown>) {
    const ticket = await this.status.ticketFor(token);
    const view = await this.status.view(ticket);
    return reply.status(status).view('pages/status', { title: `Request ${view.reference}`, token, view, ...extra });
  }
}
