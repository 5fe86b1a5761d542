import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="not-found">
      <h1>Not found</h1>
      <p>There is no lesson or page at this address.</p>
      <p>
        <Link href="/">Back to the lessons</Link>
      </p>
    </main>
  );
}
