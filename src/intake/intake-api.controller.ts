import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JsonOnlyGuard } from '../common/json-only.guard.js';
import { CreateTicketDto, CreateTicketResponseDto } from './dto/create-ticket.dto.js';
import { IntakeService } from './intake.service.js';

export const FOLLOW_UP_MESSAGE =
  'You already have an open request for this account from this address. ' +
  'We added this to it (it keeps its place in the queue) and mailed the status link to you again.';
export const CREATED_MESSAGE = 'Your request was received. Keep the status link private: it is shown only once and was also mailed to you.';

@ApiTags('tickets')
@Controller('api/v1/tickets')
export class IntakeApiController {
  constructor(private readonly intake: IntakeService) {}

  @Post()
  @HttpCode(201)
  @UseGuards(JsonOnlyGuard)
  @ApiOperation({ summary: 'Ask for an account back', description: 'The answer is the same whether or not the username exists.' })
  @ApiCreatedResponse({ type: CreateTicketResponseDto, description: 'A new request was committed.' })
  @ApiOkResponse({ type: CreateTicketResponseDto, description: 'Added to your open request from the same address; the status link was mailed again.' })
  @ApiBadRequestResponse({
    description:
      "Every invalid field with its reason, in `errors`; also a repeated request whose claims, joined with the open request's, would exceed one request's limits.",
  })
  @ApiConflictResponse({ description: 'A repeated request when the open request already holds REQUESTER_MESSAGES_PER_TICKET messages and repeated requests.' })
  @ApiTooManyRequestsResponse({ description: 'Too many requests; see Retry-After.' })
  async create(
    @Body() dto: CreateTicketDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreateTicketResponseDto> {
    const result = await this.intake.submit(dto, request.ip);
    reply.header('Cache-Control', 'no-store');
    if (result.kind === 'follow_up') {
      reply.status(200);
      return { reference: result.reference, status_url: null, state: result.state, follow_up: true, message: FOLLOW_UP_MESSAGE };
    }
    return { reference: result.reference, status_url: result.statusUrl, state: result.state, follow_up: false, message: CREATED_MESSAGE };
  }
}
