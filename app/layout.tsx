import type { Metadata } from "next";
import { cookies } from "next/headers";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getMessages } from "next-intl/server";
import type { ReactNode } from "react";
import { THEME_COOKIE } from "@/i18n/config";
import { MessageRendererBridge } from "./_components/message-renderer-bridge";
import { TrpcQueryProvider } from "./_trpc/provider";
import "./globals.css";

export const metadata: Metadata = {
  title: "eduCloud",
  description: "Private cloud for schools and labs",
  icons: { icon: "/favicon.svg" },
};

// Applies "system" before first paint, so a dark-mode user never sees a white flash.
const systemThemeScript = `try{if(!document.documentElement.dataset.theme||document.documentElement.dataset.theme==='system'){if(matchMedia('(prefers-color-scheme: dark)').matches)document.documentElement.classList.add('dark')}}catch(e){}`;

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  const messages = await getMessages();
  const theme = (await cookies()).get(THEME_COOKIE)?.value ?? "system";
  return (
    <html
      lang={locale}
      data-theme={theme}
      className={theme === "dark" ? "dark" : undefined}
      suppressHydrationWarning
    >
      <head>
        <script dangerouslySetInnerHTML={{ __html: systemThemeScript }} />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <NextIntlClientProvider locale={locale} messages={messages}>
          <MessageRendererBridge />
          <TrpcQueryProvider>{children}</TrpcQueryProvider>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
