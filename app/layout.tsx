import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { AccountNav } from '@/components/account/AccountNav.tsx';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'unboxed', template: '%s · unboxed' },
  description: 'Learn how containers really work: lessons beside a terminal on your own Linux machine.',
};

export const viewport: Viewport = { colorScheme: 'light dark' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            <span aria-hidden className="brand-mark">▣</span> unboxed
          </Link>
          <nav aria-label="Main">
            <Link href="/">Lessons</Link>
          </nav>
          <AccountNav />
        </header>
        {children}
      </body>
    </html>
  );
}
