import type { Metadata } from 'next';
import { LearnerEvidence } from '@/components/gradebook/LearnerEvidence.tsx';

export const metadata: Metadata = { title: 'Learner' };

export default async function LearnerPage({ params }: PageProps<'/classes/[id]/learners/[userId]'>) {
  const { id, userId } = await params;
  return <LearnerEvidence classId={id} userId={userId} />;
}
