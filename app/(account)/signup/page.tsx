import type { Metadata } from 'next';
import { AuthForm } from '@/components/account/AuthForm.tsx';

export const metadata: Metadata = { title: 'Create an account' };

export default async function SignUpPage({ searchParams }: PageProps<'/signup'>) {
  const { next } = await searchParams;
  return <AuthForm mode="signup" next={typeof next === 'string' ? next : undefined} />;
}
