import type { Metadata } from 'next';
import { AuthForm } from '@/components/account/AuthForm.tsx';
import { safeNextPath } from '@/lib/auth/next-path.ts';

export const metadata: Metadata = { title: 'Create an account' };

export default async function SignUpPage({ searchParams }: PageProps<'/signup'>) {
  const { next } = await searchParams;
  return <AuthForm mode="signup" next={safeNextPath(next)} />;
}
