import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server in the test process (the `smtp-server` package speaks the protocol, RFC 5321), standing in for
 * the team's mail server: the product's nodemailer transport is pointed at it through `SMTP_URL`. Every accepted
 * message is parsed (mailparser) so tests assert on what a mail client would see: Message-ID, In-Reply-To,
 * References, subject, text, List-Unsubscribe.
 */

export type SmtpStubScript =
  /** Answer the end of DATA with this SMTP reply (e.g. 451 try later, 550 mailbox unavailable); nothing is stored. */
  | { reject: { code: number; message: string } }
  /** Accept and store the message, then never answer the end of DATA: the mail went out, the sender cannot know. */
  | { hang: true };

export interface SmtpStubMessage {
  /** SMTP envelope. */
  mailFrom: string;
  rcptTo: string[];
  /** Parsed headers, as a mail client reads them. */
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  subject?: string;
  from?: string;
  to: string[];
  text: string;
  headers: Record<string, string>;
  /** The SMTP AUTH user, when the client authenticated. */
  user?: string;
  time: number;
}

export interface SmtpStub {
  /** `smtp://user:pass@127.0.0.1:<port>` for `SMTP_URL`. */
  url: string;
  port: number;
  /** Every message accepted (and those held by a `hang` script), in arrival order. */
  messages: SmtpStubMessage[];
  /** How many DATA commands ended (accepted, rejected or hung), i.e. attempts that reached the server. */
  attempts(): number;
  /** Scripts the next DATA answers, in order; afterwards messages are accepted with 250. */
  script(...answers: SmtpStubScript[]): void;
  waitForMessages(count: number, timeoutMs?: number): Promise<SmtpStubMessage[]>;
  reset(): void;
  close(): Promise<void>;
}

export async function startSmtpStub(): Promise<SmtpStub> {
  const messages: SmtpStubMessage[] = [];
  const scripts: SmtpStubScript[] = [];
  const waiters = new Set<() => boolean>();
  let attempts = 0;

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    banner: 'closeloop test SMTP',
    closeTimeout: 50,
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        attempts += 1;
        const next = scripts.shift();
        if (next && 'reject' in next) {
          callback(Object.assign(new Error(next.reject.message), { responseCode: next.reject.code }));
          return;
        }
        void store(Buffer.concat(chunks), session).then(
          () => {
            if (!next) callback(null, 'queued');
            // hang: stored, never answered; the client's socket timeout ends it
          },
          (err: Error) => callback(err),
        );
      });
    },
  });

  async function store(raw: Buffer, session: SMTPServerSession): Promise<void> {
    const parsed = await simpleParser(raw);
    const refs = parsed.references === undefined ? [] : Array.isArray(parsed.references) ? parsed.references : [parsed.references];
    const headers: Record<string, string> = {};
    for (const line of parsed.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
    const addresses = (v: typeof parsed.to): string[] =>
      (v === undefined ? [] : Array.isArray(v) ? v : [v]).flatMap((a) => a.value.map((x) => x.address ?? ''));
    messages.push({
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      rcptTo: session.envelope.rcptTo.map((r) => r.address),
      ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
      ...(parsed.inReplyTo ? { inReplyTo: parsed.inReplyTo } : {}),
      references: refs,
      ...(parsed.subject !== undefined ? { subject: parsed.subject } : {}),
      ...(parsed.from ? { from: parsed.from.text } : {}),
      to: addresses(parsed.to),
      text: parsed.text ?? '',
      headers,
      ...(typeof session.user === 'string' ? { user: session.user } : {}),
      time: Date.now(),
    });
    for (const w of [...waiters]) w();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://closeloop:secret@127.0.0.1:${port}`,
    port,
    messages,
    attempts: () => attempts,
    script: (...answers) => {
      scripts.push(...answers);
    },
    waitForMessages: (count, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve([...messages]);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`smtp stub: expected ${count} message(s) within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    reset: () => {
      messages.length = 0;
      scripts.length = 0;
      attempts = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
