import type {} from '@fastify/view'; // adds reply.view() to Fastify's types
import type { FastifyInstance, FastifyReply } from 'fastify';
import Handlebars from 'handlebars';

/** Partials under views/partials, registered before listen(). */
export const PARTIALS = {
  field_error: 'partials/field-error.hbs',
  header: 'partials/header.hbs',
  footer: 'partials/footer.hbs',
  'ticket-actions': 'partials/ticket-actions.hbs',
  'publisher-check': 'partials/publisher-check.hbs',
};

const DATE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** A Handlebars instance with the few helpers the views use; `{{…}}` escapes, always. */
export function createHandlebars(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('eq', (a: unknown, b: unknown) => String(a) === String(b));
  hbs.registerHelper('date', (value: unknown) => (value instanceof Date || typeof value === 'string' ? `${DATE.format(new Date(value))} UTC` : ''));
  hbs.registerHelper('iso', (value: unknown) => (value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : ''));
  hbs.registerHelper('lookupField', (object: Record<string, unknown> | undefined, key: string) => object?.[key]);
  return hbs;
}

/**
 * Sends the app's error page from a Fastify hook. Rendered by the root instance's view engine, not
 * `reply.view`: under a plugin with a view engine of its own (bull-board's EJS under /ops/queues), the
 * reply's `view` is the plugin's and would look for the page among its templates.
 */
export async function sendErrorPage(
  root: FastifyInstance,
  reply: FastifyReply,
  page: { title: string; message: string; status: number },
): Promise<FastifyReply> {
  const html = await root.view('pages/error', page);
  return reply.status(page.status).type('text/html; charset=utf-8').send(html);
}
