import type { Metadata } from 'next';
import { ClassesHome } from '@/components/classes/ClassesHome.tsx';
import { getCourse } from '@/lib/lessons/course.ts';

export const metadata: Metadata = { title: 'Classes' };

export default async function ClassesPage() {
  const { lessons } = await getCourse();
  return <ClassesHome lessons={lessons.map((l) => ({ slug: l.slug, title: l.title, exercises: l.exercises.length }))} />;
}
