import type { Metadata } from 'next';
import { AuthForm } from '@/components/account/AuthForm.tsx';
import { safeNextPath } from '@/lib/auth/next-path.ts';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: PageProps<'/signin'>) {
  const { next } = await searchParams;
  return <AuthForm mode="signin" next={safeNextPath(next)} />;
}
