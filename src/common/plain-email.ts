import { registerDecorator, type ValidationOptions } from 'class-validator';

/*
 * The addresses the desk takes: a plain `local@domain`. The RFC also allows quoted local parts
 * ("a,b"@x, with spaces, commas, angle brackets or line breaks inside) and address literals; mail
 * libraries then rewrite such a recipient into something else, so an address typed into a form could
 * send a mail to a second, chosen recipient. No real maintainer needs them.
 *
 * Local part: dot-atoms of letters, digits and !#$%&'*+/=?^_`{|}~- (no leading, trailing or double dot),
 * at most 64 characters. Domain: at least two labels of letters, digits and inner hyphens, each at
 * most 63 characters, the last alphabetic (or punycode), at most 253 in all.
 */
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LABEL = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

export function isPlainEmail(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at !== value.indexOf('@')) return false;
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  if (local.length > 64 || !LOCAL.test(local) || labels.length < 2 || value.length - at - 1 > 253) return false;
  return labels.every((label) => LABEL.test(label)) && TOP_LABEL.test(labels[labels.length - 1]);
}

/** class-validator: a plain address (see above); other types are left to the type's own validator. */
export function IsPlainEmail(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPlainEmail',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => isPlainEmail(value),
        defaultMessage: () => `${String(propertyName)} must be a plain address such as name@example.org`,
      },
    });
}
