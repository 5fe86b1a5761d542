import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { LessonContent } from '@/components/lesson/LessonContent.tsx';
import { LessonWorkspace } from '@/components/lesson/LessonWorkspace.tsx';
import { TerminalPane } from '@/components/terminal/TerminalPane.tsx';
import { getCourse, getLesson } from '@/lib/lessons/course.ts';

// Only lessons that exist: any other slug is a 404.
export const dynamicParams = false;

export async function generateStaticParams() {
  const { lessons } = await getCourse();
  return lessons.map((lesson) => ({ slug: lesson.slug }));
}

export async function generateMetadata({ params }: PageProps<'/lessons/[slug]'>): Promise<Metadata> {
  const lesson = await getLesson((await params).slug);
  return lesson ? { title: lesson.title, description: lesson.summary } : {};
}

export default async function LessonPage({ params }: PageProps<'/lessons/[slug]'>) {
  const { slug } = await params;
  const lesson = await getLesson(slug);
  if (!lesson) notFound();
  const { lessons } = await getCourse();
  const titles = new Map(lessons.map((l) => [l.slug, l.title]));

  const text = (
    <article className="lesson">
      <p className="lesson-kicker">
        Lesson {lesson.order} · {lesson.estimatedMinutes} min
      </p>
      <h1>{lesson.title}</h1>
      {lesson.prerequisites.length > 0 && (
        <p className="prerequisites">
          Take first:{' '}
          {lesson.prerequisites.map((p, i) => (
            <span key={p}>
              {i > 0 && ', '}
              <Link href={`/lessons/${p}`}>{titles.get(p)}</Link>
            </span>
          ))}
        </p>
      )}
      <LessonContent lesson={lesson} />
    </article>
  );
  return (
    <main className="lesson-page">
      <LessonWorkspace slug={lesson.slug} lesson={text} terminal={<TerminalPane />} />
    </main>
  );
}
