import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MailTemplate } from './mail-template.js';

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
      compiled = Handlebars.compile(readFileSync(join(this.directory, `${template}.hbs`), 'utf8'), { noEscape: true, strict: true });
      this.cache.set(template, compiled);
    }
    const [first, ...rest] = compiled(context).split('\n');
    if (!first.startsWith('Subject: ')) throw new Error(`mail template ${template} must start with "Subject: "`);
    return { subject: first.slice('Subject: '.length).trim(), text: rest.join('\n').replace(/^\n+/, '') };
  }
}
