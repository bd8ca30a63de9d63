import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type StreamTransport from 'nodemailer/lib/stream-transport/index.js';

export interface OutgoingMail {
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** Sends mail; `id` makes sending idempotent where the transport can be (file name, Message-ID). */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** Development: one .eml file per message under MAIL_DIR, named by the outbox id (a retry overwrites). */
export class FileMailTransport implements MailTransport {
  private readonly transporter: Transporter<StreamTransport.SentMessageInfo>;

  constructor(private readonly directory: string) {
    this.transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    mkdirSync(directory, { recursive: true });
  }

  async send(mail: OutgoingMail): Promise<void> {
    const info = await this.transporter.sendMail({ ...mail, messageId: `<${mail.id}@recovery-desk>` });
    const file = join(this.directory, `${mail.id}.eml`);
    writeFileSync(`${file}.tmp`, info.message as Buffer);
    renameSync(`${file}.tmp`, file);
  }

  close(): void {
    this.transporter.close();
  }
}

export class SmtpMailTransport implements MailTransport {
  private readonly transporter: Transporter;

  constructor(url: string) {
    this.transporter = nodemailer.createTransport(url);
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({ ...mail, messageId: `<${mail.id}@recovery-desk>` });
  }

  close(): void {
    this.transporter.close();
  }
}
