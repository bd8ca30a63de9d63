import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldError } from './domain.exception.js';

/** class-validator's nested errors as one flat list: `previous_emails.2` → its reasons. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      const reasons = Object.entries(error.constraints).map(([name, message]) =>
        name === 'whitelistValidation' ? 'is not an accepted field' : message);
      out.push({ field, reasons });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => DomainError.validation(flattenValidationErrors(errors)),
  });
}
