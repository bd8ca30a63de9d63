import { registerDecorator, type ValidationOptions } from 'class-validator';

/** class-transformer: trims strings, leaves anything else for the validators to refuse. */
export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// Letters, digits, punctuation, spaces, tabs and line breaks; no other control characters (NUL breaks PostgreSQL).
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export function HasNoControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'hasNoControlCharacters',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !CONTROL_CHARACTERS.test(value),
        defaultMessage: () => `${String(propertyName)} must not contain control characters`,
      },
    });
}
