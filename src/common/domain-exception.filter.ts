import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, DomainErrorCode, HTTP_STATUS_OF } from './domain.exception.js';

const PAGE_FOR_STATUS: Record<number, { title: string; message: string }> = {
  400: { title: 'Bad request', message: 'The request could not be understood.' },
  403: { title: 'Forbidden', message: 'This request is not allowed from here.' },
  404: { title: 'Not found', message: 'There is nothing here. If you followed a status link, check that it was copied whole.' },
  413: { title: 'Too large', message: 'What you sent is larger than we accept.' },
  429: { title: 'Too many requests', message: 'Please wait a while before trying again.' },
  500: { title: 'Something went wrong', message: 'An unexpected error occurred on our side. Please try again later.' },
};

/**
 * Maps every error to HTTP in one place: domain errors to their status, HTTP exceptions as they are,
 * anything else to a logged 500 that shows no internals. Pages get an HTML error page; the API JSON.
 */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = 500;
    let body: Record<string, unknown>;
    if (exception instanceof DomainError) {
      status = HTTP_STATUS_OF[exception.code];
      body = { statusCode: status, error: exception.code, message: exception.message };
      if (exception.details.errors) body.errors = exception.details.errors;
      if (exception.details.retryAfterSeconds !== undefined) {
        reply.header('Retry-After', String(exception.details.retryAfterSeconds));
        body.retry_after_seconds = exception.details.retryAfterSeconds;
      }
    } else if (exception instanceof HttpException && isHealthReport(exception.getResponse())) {
      // Terminus reports which dependency is down: keep its body whole.
      status = exception.getStatus();
      body = exception.getResponse() as Record<string, unknown>;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      body = { statusCode: status, error: errorCodeFor(status), message: Array.isArray(message) ? message.join('; ') : (message ?? exception.message) };
    } else if (isClientError(exception)) {
      status = exception.statusCode;
      body = { statusCode: status, error: errorCodeFor(status), message: exception.message };
    } else {
      this.logger.error({ err: exception, url: request.url }, 'unhandled error');
      body = { statusCode: 500, error: 'internal_error', message: PAGE_FOR_STATUS[500].message };
    }
    if (wantsHtml(request)) {
      const page = PAGE_FOR_STATUS[status] ?? PAGE_FOR_STATUS[status >= 500 ? 500 : 400];
      void reply.status(status).header('Cache-Control', 'no-store').view('pages/error', { title: page.title, message: page.message, status });
      return;
    }
    void reply.status(status).header('Cache-Control', 'no-store').send(body);
  }
}

function isHealthReport(response: unknown): boolean {
  return typeof response === 'object' && response !== null && 'details' in response && 'status' in response;
}

/** Fastify's own errors (bad JSON, body too large, wrong content type) carry a 4xx statusCode. */
function isClientError(error: unknown): error is { statusCode: number; message: string } {
  const code = (error as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' && code >= 400 && code < 500;
}

function errorCodeFor(status: number): string {
  if (status === 404) return DomainErrorCode.NotFound;
  if (status === 429) return DomainErrorCode.RateLimited;
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 403) return 'forbidden';
  return status >= 500 ? 'internal_error' : 'bad_request';
}

function wantsHtml(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/') || request.url.startsWith('/health')) return false;
  return (request.headers.accept ?? '').includes('text/html');
}
