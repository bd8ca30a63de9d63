import { createServer, type Server, type Socket } from 'node:net';

export interface SmtpMessage {
  from: string;
  to: string[];
  data: string;
}

/** A minimal SMTP server (no TLS, no auth) that keeps what it is sent: enough for nodemailer's SMTP transport. */
export class SmtpSink {
  readonly messages: SmtpMessage[] = [];
  /**
   * Messages whose connection closed while their reply was held: not received (a mail server takes
   * responsibility for a message only with its "250" reply), as when the sender is killed mid-DATA.
   */
  readonly dropped: SmtpMessage[] = [];
  private server: Server | null = null;
  /** While held: the messages whose end was sent, each waiting for its "250 queued" reply. */
  private held: Array<{ socket: Socket; message: SmtpMessage; answer: () => void }> | null = null;
  port = 0;

  /** Listens on `port` (0: any free port; the same port again after a stop). */
  async start(port = this.port): Promise<void> {
    this.server = createServer((socket) => this.session(socket));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Keeps back the reply to each message's end, as a slow mail server would, until `release()`. */
  hold(): void {
    this.held ??= [];
  }

  /** Answers the held messages (they count as received only now) and stops holding. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const { answer } of held) answer();
  }

  /** How many messages wait for their reply. */
  get waiting(): number {
    return this.held?.length ?? 0;
  }

  private session(socket: Socket): void {
    let buffer = '';
    let inData = false;
    let current: SmtpMessage = { from: '', to: [], data: '' };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    const closed = () => {
      const mine = this.held?.filter((h) => h.socket === socket) ?? [];
      this.held = this.held?.filter((h) => h.socket !== socket) ?? null;
      this.dropped.push(...mine.map((h) => h.message));
    };
    socket.on('close', closed);
    socket.on('error', closed); // a killed sender resets the connection
    reply('220 sink ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let index: number;
      while ((index = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const message = current;
            current = { from: '', to: [], data: '' };
            const answer = () => {
              this.messages.push(message);
              reply('250 queued');
            };
            if (this.held) this.held.push({ socket, message, answer });
            else answer();
          } else {
            current.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 sink');
        else if (verb === 'MAIL') {
          current.from = line.slice(10).replace(/[<>]/g, '').trim();
          reply('250 ok');
        } else if (verb === 'RCPT') {
          current.to.push(line.slice(8).replace(/[<>]/g, '').trim());
          reply('250 ok');
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 go on');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('250 ok');
      }
    });
  }
}
