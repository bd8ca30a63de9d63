import { type ArgumentMetadata, type ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, type FieldError } from './domain.exception.js';

/**
 * class-validator's nested errors as one flat list: `previous_emails.2` → its reasons.
 * A missing value gets one plain reason ("… is required") instead of every rule it fails.
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      const constraints = Object.entries(error.constraints);
      const missing = (error.value === undefined || error.value === null) && !('whitelistValidation' in error.constraints);
      const reasons = missing ? [`${field} is required`] : constraints.map(([name, message]) =>
        name === 'whitelistValidation' ? 'is not an accepted field' : message);
      out.push({ field, reasons });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** The one global pipe: transform, whitelist, refuse unknown fields, and a body must be an object. */
class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDto = typeof metadata.metatype === 'function' && ![String, Number, Boolean, Array, Object].includes(metadata.metatype as never);
    if (metadata.type === 'body' && isDto && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw DomainError.validation([{ field: 'body', reasons: ['the request body must be a JSON object'] }]);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => DomainError.validation(flattenValidationErrors(errors)),
  });
}
