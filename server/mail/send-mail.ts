// Sends one plain-text mail through the SMTP server an administrator configured (portal settings).
import nodemailer from "nodemailer";
import type { SmtpSettings } from "@/server/domain/settings/portal-settings";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export async function sendMail(smtp: SmtpSettings, mail: OutgoingMail): Promise<void> {
  const credentials = smtp.user !== "";
  const implicitTls = smtp.port === 465;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    // 465 speaks TLS from the first byte; other ports upgrade with STARTTLS when the server offers it.
    secure: implicitTls,
    // With credentials the upgrade is required: a server (or whoever sits between) that offers no
    // STARTTLS gets no AUTH, so the password never travels in clear. Without credentials plain SMTP
    // stays possible (a school's relay on its LAN).
    requireTLS: credentials && !implicitTls,
    auth: credentials ? { user: smtp.user, pass: smtp.password } : undefined,
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
