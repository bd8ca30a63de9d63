export enum DomainErrorCode {
  ValidationFailed = 'validation_failed',
  RateLimited = 'rate_limited',
  NotFound = 'not_found',
  Conflict = 'conflict',
}

export interface FieldError {
  field: string;
  reasons: string[];
}

/** An error the requester or moderator can act on; mapped to HTTP in one place (DomainExceptionFilter). */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: { errors?: FieldError[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }

  static validation(errors: FieldError[]): DomainError {
    return new DomainError(DomainErrorCode.ValidationFailed, 'Some fields are missing or invalid.', { errors });
  }

  static rateLimited(retryAfterSeconds: number): DomainError {
    return new DomainError(DomainErrorCode.RateLimited, 'Too many requests from here. Please wait before trying again.', { retryAfterSeconds });
  }

  static notFound(): DomainError {
    return new DomainError(DomainErrorCode.NotFound, 'Not found.');
  }
}

export const HTTP_STATUS_OF: Record<DomainErrorCode, number> = {
  [DomainErrorCode.ValidationFailed]: 400,
  [DomainErrorCode.RateLimited]: 429,
  [DomainErrorCode.NotFound]: 404,
  [DomainErrorCode.Conflict]: 409,
};
