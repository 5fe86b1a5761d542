import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '@mdx-js/mdx';
import { createElement, type ReactNode } from 'react';
import * as runtime from 'react/jsx-runtime';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCourse } from './load.ts';
import { LessonValidationError, type LessonProblem } from './problems.ts';

/**
 * Diagrams: `![alt](./file.svg)` in a lesson is inlined as a <figure>. Each case starts
 * from a copy of the reference lesson, which has a diagram, and changes it.
 */
const realContent = path.resolve(import.meta.dirname, '../../content');
const diagramFile = 'client-socket-daemon.svg';

let content: string;
let lessonDir: string;

beforeEach(async () => {
  content = await mkdtemp(path.join(tmpdir(), 'unboxed-diagrams-'));
  await cp(path.join(realContent, '01-client-and-daemon'), path.join(content, '01-client-and-daemon'), { recursive: true });
  lessonDir = path.join(content, '01-client-and-daemon');
});

afterEach(async () => {
  await rm(content, { recursive: true, force: true });
});

/** Rewrites the one diagram reference of the reference lesson. */
async function editReference(change: (reference: string) => string): Promise<void> {
  const file = path.join(lessonDir, 'lesson.mdx');
  const source = await readFile(file, 'utf8');
  const reference = /^!\[[^\]]*\]\(\.\/client-socket-daemon\.svg\)$/m.exec(source)?.[0];
  expect(reference, 'the reference lesson places its diagram on a line of its own').toBeDefined();
  await writeFile(file, source.replace(reference!, change(reference!)));
}

/** The lesson's page body as HTML, rendered by React from the compiled MDX. */
async function renderLesson1(): Promise<string> {
  const lesson = (await loadCourse(content)).lessons[0]!;
  const { default: Body } = await run(lesson.compiled, { ...runtime, baseUrl: import.meta.url });
  const passThrough = ({ children }: { children?: ReactNode }) => createElement('div', null, children);
  return renderToStaticMarkup(createElement(Body, { components: { Exercise: passThrough, Hint: passThrough, Note: passThrough, Run: () => null, Changes: () => null } }));
}

async function theProblem(): Promise<LessonProblem> {
  try {
    await loadCourse(content);
  } catch (error) {
    if (!(error instanceof LessonValidationError)) throw error;
    expect(error.problems).toHaveLength(1);
    const problem = error.problems[0]!;
    expect(problem.file).toMatch(/01-client-and-daemon\/lesson\.mdx$/);
    expect(problem.field).toMatch(/^body line \d+:\d+$/);
    return problem;
  }
  throw new Error('expected the course to be rejected');
}

describe('lesson diagrams', () => {
  it('inlines the SVG as a figure named by its alt text, with ids made unique to the diagram', async () => {
    const html = await renderLesson1();
    const figure = /<figure class="diagram" aria-label="([^"]+)"><svg ([^>]*)>/.exec(html);
    expect(figure?.[1]).toMatch(/^The docker CLI and curl each send HTTP requests/);
    expect(figure?.[2]).toContain('viewBox="0 0 680 200"');
    expect(figure?.[2]).toContain('aria-hidden="true"');
    // The drawing keeps its theme hooks, and its marker id is prefixed with its references.
    expect(html).toContain('fill="var(--diagram-accent-soft)"');
    expect(html).toContain('id="client-socket-daemon-arrow"');
    expect(html).toContain('marker-end="url(#client-socket-daemon-arrow)"');
    expect(html).not.toMatch(/id="arrow"|url\(#arrow\)/);
    expect(html).not.toMatch(/<p>\s*<figure/);
  });

  it('shows the markdown title as a visible caption', async () => {
    await editReference((r) => r.replace('.svg)', '.svg "The client never touches a container")'));
    expect(await renderLesson1()).toMatch(/<\/svg><figcaption>The client never touches a container<\/figcaption><\/figure>/);
  });

  it('drops scripts, event handlers, foreignObject, style sheets and external links', async () => {
    await writeFile(
      path.join(lessonDir, diagramFile),
      `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert('load')">
  <script>alert('script')</script>
  <style>body { display: none }</style>
  <foreignObject><div>html inside</div></foreignObject>
  <a href="javascript:alert('link')"><rect width="5" height="5" onclick="alert('click')"/></a>
  <use href="https://example.org/sprite.svg#x"/>
  <circle cx="5" cy="5" r="2" fill="currentColor" onmouseover="alert('hover')"/>
</svg>`,
    );
    const html = await renderLesson1();
    const svg = /<svg[\s\S]*<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg).toContain('<rect width="5" height="5"></rect>');
    expect(svg).toContain('<circle cx="5" cy="5" r="2" fill="currentColor"></circle>');
    expect(svg).not.toMatch(/alert|script|<style|display: none|foreignObject|html inside|example\.org|javascript/i);
  });

  it('rejects a diagram file that does not exist', async () => {
    await rm(path.join(lessonDir, diagramFile));
    const p = await theProblem();
    expect(p.message).toBe(`diagram './${diagramFile}' does not exist`);
    expect(p.fix).toBe(`create ${path.relative(process.cwd(), path.join(lessonDir, diagramFile))} or correct the path`);
  });

  it('rejects an image that is not an SVG', async () => {
    await writeFile(path.join(lessonDir, 'client-socket-daemon.png'), 'not really a png');
    await editReference((r) => r.replace('.svg)', '.png)'));
    const p = await theProblem();
    expect(p.message).toBe("image './client-socket-daemon.png' is not an SVG");
    expect(p.fix).toContain('draw the diagram as an SVG file');
  });

  it('rejects an .svg file that holds no <svg>, or an <svg> without a viewBox', async () => {
    await writeFile(path.join(lessonDir, diagramFile), '<p>a web page</p>');
    expect((await theProblem()).message).toBe(`diagram './${diagramFile}' holds no <svg> element`);
    await writeFile(path.join(lessonDir, diagramFile), '<svg width="10" height="10"><rect width="5" height="5"/></svg>');
    const p = await theProblem();
    expect(p.message).toBe(`diagram './${diagramFile}' has no viewBox on its <svg>`);
    expect(p.fix).toContain('viewBox="0 0 WIDTH HEIGHT"');
  });

  it('rejects a path outside the lesson folder', async () => {
    await cp(path.join(lessonDir, diagramFile), path.join(content, diagramFile));
    await editReference((r) => r.replace('(./', '(../'));
    const p = await theProblem();
    expect(p.message).toBe(`image '../${diagramFile}' points outside the lesson folder`);
    expect(p.fix).toContain(`write ![…](./${diagramFile})`);
  });

  it('rejects a remote image', async () => {
    await editReference((r) => r.replace('(./', '(https://example.org/'));
    const p = await theProblem();
    expect(p.message).toBe(`image 'https://example.org/${diagramFile}' is not a file in the lesson folder`);
    expect(p.fix).toContain('put the SVG in');
  });

  it('rejects a diagram without alt text', async () => {
    await editReference((r) => r.replace(/^!\[[^\]]*\]/, '![ ]'));
    const p = await theProblem();
    expect(p.message).toBe(`diagram './${diagramFile}' has no alt text`);
    expect(p.fix).toMatch(/^describe what it shows between the brackets/);
  });

  it('rejects a diagram that shares its paragraph with text', async () => {
    await editReference((r) => `As the picture shows, ${r}`);
    const p = await theProblem();
    expect(p.message).toBe(`diagram './${diagramFile}' shares its paragraph with other content`);
    expect(p.fix).toBe('put the image on a line of its own, with a blank line before and after it');
  });
});
