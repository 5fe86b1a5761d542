import Link from 'next/link';
import { LessonProgress, ProgressProvider } from '@/components/lesson/LessonProgress.tsx';
import { getCourse } from '@/lib/lessons/course.ts';

export default async function CatalogPage() {
  const { lessons } = await getCourse();
  const minutes = lessons.reduce((sum, l) => sum + l.estimatedMinutes, 0);
  return (
    <main className="catalog">
      <h1>Open the box</h1>
      <p className="catalog-intro">
        {lessons.length} lessons, about {minutes} minutes. Each one gives you a Linux machine with Docker inside and root
        for you: read, type, and watch the machine change.
      </p>
      <ProgressProvider>
        <ol className="lesson-list">
          {lessons.map((lesson) => (
            <li key={lesson.slug} className="lesson-card" data-lesson={lesson.slug}>
              <span className="lesson-order" aria-hidden>
                {String(lesson.order).padStart(2, '0')}
              </span>
              <div className="lesson-card-body">
                <h2>
                  <Link href={`/lessons/${lesson.slug}`}>{lesson.title}</Link>
                </h2>
                <p>{lesson.summary}</p>
                <ul className="topics" aria-label="Topics">
                  {lesson.topics.map((topic) => (
                    <li key={topic} className="topic">
                      {topic}
                    </li>
                  ))}
                </ul>
              </div>
              <dl className="lesson-meta">
                <dt>Time</dt>
                <dd>{lesson.estimatedMinutes} min</dd>
                <dt>Progress</dt>
                <dd>
                  <LessonProgress slug={lesson.slug} total={lesson.exercises.length} />
                </dd>
              </dl>
            </li>
          ))}
        </ol>
      </ProgressProvider>
    </main>
  );
}
