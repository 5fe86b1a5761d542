import type { Metadata } from 'next';
import { JoinClass } from '@/components/classes/JoinClass.tsx';

export const metadata: Metadata = { title: 'Join a class' };

export default async function JoinWithCodePage({ params }: PageProps<'/join/[code]'>) {
  const { code } = await params;
  return <JoinClass code={decodeURIComponent(code)} />;
}
