import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MailTemplate } from './mail-template.js';

/**
 * Values that open something (a code, a private link): they go in the body only. A subject shows on lock
 * screens, in notification previews and in mail logs.
 */
export const SECRET_MAIL_FIELDS: readonly string[] = ['code', 'statusUrl', 'resetUrl', 'stopUrl', 'token'];

/** The secret fields a template's subject line names (none, for a template the desk accepts). */
export function secretsInSubject(source: string): string[] {
  const subject = source.split('\n', 1)[0];
  const named = [...subject.matchAll(/{{{?\s*([A-Za-z_][\w.]*)/g)].map((m) => m[1].split('.')[0]);
  return SECRET_MAIL_FIELDS.filter((field) => named.includes(field));
}

export interface RenderedMail {
  subject: string;
  text: string;
}

/**
 * Mail templates are Handlebars files under views/mail/: the first line is `Subject: …`, the rest the
 * plain-text body. Compiled once; plain text, so nothing is HTML-escaped.
 */
export class MailTemplates {
  private readonly cache = new Map<MailTemplate, HandlebarsTemplateDelegate>();

  constructor(private readonly directory: string) {}

  render(template: MailTemplate, context: Record<string, unknown>): RenderedMail {
    let compiled = this.cache.get(template);
    if (!compiled) {
      const source = readFileSync(join(this.directory, `${template}.hbs`), 'utf8');
      const secrets = secretsInSubject(source);
      if (secrets.length) throw new Error(`mail template ${template} puts ${secrets.join(', ')} in the subject: secrets go in the body`);
      compiled = Handlebars.compile(source, { noEscape: true, strict: true });
      this.cache.set(template, compiled);
    }
    const [first, ...rest] = compiled(context).split('\n');
    if (!first.startsWith('Subject: ')) throw new Error(`mail template ${template} must start with "Subject: "`);
    return { subject: first.slice('Subject: '.length).trim(), text: rest.join('\n').replace(/^\n+/, '') };
  }
}
