import type { Metadata } from 'next';
import { WatchLearner } from '@/components/gradebook/WatchLearner.tsx';

export const metadata: Metadata = { title: 'Watching a learner' };

export default async function WatchPage({ params }: PageProps<'/classes/[id]/learners/[userId]/watch'>) {
  const { id, userId } = await params;
  return <WatchLearner classId={id} userId={userId} />;
}
