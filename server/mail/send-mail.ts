// Sends one plain-text mail through the SMTP server an administrator configured (portal settings).
import nodemailer from "nodemailer";
import type { SmtpSettings } from "@/server/domain/settings/portal-settings";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export async function sendMail(smtp: SmtpSettings, mail: OutgoingMail): Promise<void> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    // 465 speaks TLS from the first byte; other ports upgrade with STARTTLS when the server offers it.
    secure: smtp.port === 465,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    // nodemailer's own logger would print the message (and the link in it): keep it silent.
    logger: false,
    debug: false,
  });
  try {
    await transport.sendMail({ from: smtp.from, to: mail.to, subject: mail.subject, text: mail.text });
  } finally {
    transport.close();
  }
}
