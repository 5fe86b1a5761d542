import type { Metadata } from 'next';
import { AuthForm } from '@/components/account/AuthForm.tsx';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: PageProps<'/signin'>) {
  const { next } = await searchParams;
  return <AuthForm mode="signin" next={typeof next === 'string' ? next : undefined} />;
}
