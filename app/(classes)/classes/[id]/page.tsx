import type { Metadata } from 'next';
import { ClassSessions } from '@/components/classes/ClassSessions.tsx';
import { Gradebook } from '@/components/gradebook/Gradebook.tsx';

export const metadata: Metadata = { title: 'Gradebook' };

export default async function GradebookPage({ params }: PageProps<'/classes/[id]'>) {
  const { id } = await params;
  return (
    <>
      <Gradebook classId={id} />
      <ClassSessions classId={id} />
    </>
  );
}
