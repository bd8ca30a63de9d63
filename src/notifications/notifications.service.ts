import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { EntityManager } from 'typeorm';
import { VIEWS_DIR } from '../common/paths.js';
import { SealedBox } from '../common/sealed-box.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { MailTemplates } from './mail-templates.js';
import type { OutgoingMail } from './mail-transport.js';
import { MailTemplate } from './mail-template.js';
import { OutboxMessage, OutboxTopic } from '../jobs/outbox.entity.js';
import { Outbox } from '../jobs/outbox.service.js';

/** Queues mail inside the caller's transaction: the mail exists if and only if the change committed. */
@Injectable()
export class NotificationsService {
  private readonly templates = new MailTemplates(join(VIEWS_DIR, 'mail'));
  readonly box: SealedBox;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: Outbox,
  ) {
    this.box = new SealedBox(config.secretKey, 'outbox-mail');
  }

  /**
   * `id` (the outbox row's primary key, also the mail's Message-ID) is random unless the caller makes it
   * deterministic to send a mail at most once: a second insert with the same id fails as a unique violation.
   */
  async queueMail(em: EntityManager, to: string, template: MailTemplate, context: Record<string, unknown>, id: string = randomUUID()): Promise<string> {
    const { subject, text } = this.templates.render(template, context);
    const mail: OutgoingMail = { id, from: this.config.mail.from, to, subject, text };
    return this.outbox.add(em, OutboxTopic.Mail, this.box.seal(JSON.stringify(mail)), id);
  }

  /** Reads a queued mail back; null once it has been delivered (the payload is emptied then). */
  openMail(row: OutboxMessage): OutgoingMail | null {
    return row.payload ? (JSON.parse(this.box.open(row.payload)) as OutgoingMail) : null;
  }
}
