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
      const reasons = missing
        ? [`${field} is required`]
        : constraints.map(([name, message]) => (name === 'whitelistValidation' ? 'is not an accepted field' : message));
      out.push({ field, reasons });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

const MAX_DEPTH = 16;

/**
 * Problems no DTO rule can catch safely: nesting deep enough to overflow class-transformer's recursion,
 * and strings that are not well-formed UTF-16 (lone surrogates make the e-mail validator throw).
 * Iterative, so the check itself cannot overflow.
 */
export function findUnsafeInput(value: unknown): FieldError | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length) {
    const { value: item, path, depth } = stack.pop()!;
    const field = path || 'body';
    if (typeof item === 'string') {
      if (!item.isWellFormed()) return { field, reasons: [`${field} contains invalid characters (a lone UTF-16 surrogate)`] };
    } else if (item && typeof item === 'object') {
      if (depth >= MAX_DEPTH) return { field, reasons: [`${field} is nested too deeply`] };
      for (const [key, child] of Object.entries(item)) {
        stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
      }
    }
  }
  return null;
}

/** The one global pipe: transform, whitelist, refuse unknown fields; a body must be a sane object. */
class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDto = typeof metadata.metatype === 'function' && ![String, Number, Boolean, Array, Object].includes(metadata.metatype as never);
    if (metadata.type === 'body' && isDto) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw DomainError.validation([{ field: 'body', reasons: ['the request body must be a JSON object'] }]);
      }
      const unsafe = findUnsafeInput(value);
      if (unsafe) throw DomainError.validation([unsafe]);
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
