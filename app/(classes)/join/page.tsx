import type { Metadata } from 'next';
import { JoinClass } from '@/components/classes/JoinClass.tsx';

export const metadata: Metadata = { title: 'Join a class' };

export default function JoinPage() {
  return <JoinClass />;
}
