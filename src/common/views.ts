import type {} from '@fastify/view'; // adds reply.view() to Fastify's types
import Handlebars from 'handlebars';

/** Partials under views/partials, registered before listen(). */
export const PARTIALS = {
  field_error: 'partials/field-error.hbs',
  header: 'partials/header.hbs',
  footer: 'partials/footer.hbs',
  'ticket-actions': 'partials/ticket-actions.hbs',
};

const DATE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** A Handlebars instance with the few helpers the views use; `{{…}}` escapes, always. */
export function createHandlebars(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('eq', (a: unknown, b: unknown) => String(a) === String(b));
  hbs.registerHelper('date', (value: unknown) => (value instanceof Date || typeof value === 'string' ? `${DATE.format(new Date(value))} UTC` : ''));
  hbs.registerHelper('iso', (value: unknown) => (value instanceof Date ? value.toISOString() : String(value ?? '')));
  hbs.registerHelper('lookupField', (object: Record<string, unknown> | undefined, key: string) => object?.[key]);
  return hbs;
}
