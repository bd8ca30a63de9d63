import { plainToInstance, Type } from 'class-transformer';
import { IsEmail, IsInt, IsString, Max, Min, ValidateNested, validateSync, ValidationError } from 'class-validator';
import { findUnsafeInput, flattenValidationErrors } from './validation.js';

/** A class-validator error as the library builds it. */
function error(property: string, value: unknown, constraints?: Record<string, string>, children: ValidationError[] = []): ValidationError {
  return Object.assign(new ValidationError(), { property, value, constraints, children });
}

class Address {
  @IsEmail({}, { message: 'address must be an e-mail address' }) address: string;
}

class Limits {
  @IsInt({ message: 'max must be an integer' })
  @Min(1, { message: 'max must be at least 1' })
  @Max(9, { message: 'max must be at most 9' })
  max: number;
}

class Person {
  @IsString({ message: 'name must be text' }) name: string;
  @ValidateNested({ each: true }) @Type(() => Address) addresses: Address[];
  @ValidateNested() @Type(() => Limits) limits: Limits;
}

const validate = (plain: Record<string, unknown>) => validateSync(plainToInstance(Person, plain), { whitelist: true, forbidNonWhitelisted: true });

describe('flattenValidationErrors', () => {
  it('is empty when there are no errors', () => {
    expect(flattenValidationErrors([])).toEqual([]);
  });

  it('keeps every reason of a field, in order', () => {
    expect(flattenValidationErrors([error('max', 'ten', { isInt: 'max must be an integer', min: 'max must be at least 1' })])).toEqual([
      { field: 'max', reasons: ['max must be an integer', 'max must be at least 1'] },
    ]);
  });

  it('gives one "is required" reason for a missing or null value instead of every rule', () => {
    expect(
      flattenValidationErrors([
        error('name', undefined, { isString: 'name must be text', maxLength: 'name is too long' }),
        error('email', null, { isEmail: 'email must be an e-mail address' }),
      ]),
    ).toEqual([
      { field: 'name', reasons: ['name is required'] },
      { field: 'email', reasons: ['email is required'] },
    ]);
  });

  it('does not call an empty string or zero missing', () => {
    expect(
      flattenValidationErrors([
        error('name', '', { isNotEmpty: 'name must not be empty' }),
        error('max', 0, { min: 'max must be at least 1' }),
        error('ok', false, { equals: 'ok must be true' }),
      ]),
    ).toEqual([
      { field: 'name', reasons: ['name must not be empty'] },
      { field: 'max', reasons: ['max must be at least 1'] },
      { field: 'ok', reasons: ['ok must be true'] },
    ]);
  });

  it('says an unknown field "is not an accepted field", whatever its value', () => {
    expect(
      flattenValidationErrors([
        error('admin', true, { whitelistValidation: 'property admin should not exist' }),
        error('role', undefined, { whitelistValidation: 'property role should not exist' }),
        error('note', null, { whitelistValidation: 'property note should not exist' }),
      ]),
    ).toEqual([
      { field: 'admin', reasons: ['is not an accepted field'] },
      { field: 'role', reasons: ['is not an accepted field'] },
      { field: 'note', reasons: ['is not an accepted field'] },
    ]);
  });

  it('names nested fields by their dotted path, under a parent when given one', () => {
    const nested = error('previous_emails', ['ok@example.org', 'bad'], undefined, [error('1', 'bad', { isEmail: 'must be an e-mail address' })]);
    expect(flattenValidationErrors([nested])).toEqual([{ field: 'previous_emails.1', reasons: ['must be an e-mail address'] }]);
    expect(flattenValidationErrors([nested], 'body')).toEqual([{ field: 'body.previous_emails.1', reasons: ['must be an e-mail address'] }]);
  });

  it('reports a parent with its own reasons before its children', () => {
    const parent = error('limits', {}, { isObject: 'limits must be an object' }, [error('max', 20, { max: 'max must be at most 9' })]);
    expect(flattenValidationErrors([parent])).toEqual([
      { field: 'limits', reasons: ['limits must be an object'] },
      { field: 'limits.max', reasons: ['max must be at most 9'] },
    ]);
  });

  describe('with class-validator', () => {
    it('flattens errors in arrays of nested objects, nested objects and unknown fields', () => {
      const errors = validate({
        name: 'Alice',
        addresses: [{ address: 'a@example.org' }, { address: 'nope' }, { address: 'c@example.org', extra: 1 }],
        limits: { max: 12 },
        admin: true,
      });
      expect(flattenValidationErrors(errors)).toEqual([
        { field: 'admin', reasons: ['is not an accepted field'] },
        { field: 'addresses.1.address', reasons: ['address must be an e-mail address'] },
        { field: 'addresses.2.extra', reasons: ['is not an accepted field'] },
        { field: 'limits.max', reasons: ['max must be at most 9'] },
      ]);
    });

    it('says nested fields are required with their full path', () => {
      const errors = validate({ addresses: [{}], limits: {} });
      expect(flattenValidationErrors(errors)).toEqual([
        { field: 'name', reasons: ['name is required'] },
        { field: 'addresses.0.address', reasons: ['addresses.0.address is required'] },
        { field: 'limits.max', reasons: ['limits.max is required'] },
      ]);
    });

    it('is empty for a valid object', () => {
      expect(flattenValidationErrors(validate({ name: 'A', addresses: [], limits: { max: 3 } }))).toEqual([]);
    });
  });
});

describe('findUnsafeInput', () => {
  it('accepts ordinary bodies', () => {
    expect(findUnsafeInput({ a: 'x', b: [1, { c: 'é😀' }] })).toBeNull();
  });

  it('refuses nesting deeper than 16 levels, iteratively', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(findUnsafeInput({ projects: deep })).toEqual({
      field: expect.stringMatching(/^projects(\.0)+$/),
      reasons: [expect.stringContaining('nested too deeply')],
    });
  });

  it('refuses lone surrogates and names the field', () => {
    expect(findUnsafeInput({ contact_email: 'a@\ud800.com' })).toEqual({ field: 'contact_email', reasons: [expect.stringContaining('invalid characters')] });
    expect(findUnsafeInput({ previous_emails: ['ok@example.org', '\udc00'] })?.field).toBe('previous_emails.1');
  });
});
