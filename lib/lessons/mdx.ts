import { compile } from '@mdx-js/mdx';
import rehypeShiki from '@shikijs/rehype';
import type { Image, Paragraph, Root } from 'mdast';
import type { MdxJsxAttribute, MdxJsxExpressionAttribute } from 'mdast-util-mdx-jsx';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { loadDiagram } from './diagram.ts';
import { LESSON_COMPONENTS } from './schema.ts';

/** Something wrong in the MDX body, with the line it is on. */
export interface BodyProblem {
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly message: string;
  readonly fix: string;
}

export type CompileResult =
  | { readonly ok: true; readonly code: string }
  | { readonly ok: false; readonly problems: readonly BodyProblem[] };

const known = new Set<string>(LESSON_COMPONENTS);

export interface CompileOptions {
  /** Undefined when the frontmatter is invalid: placement is not checked then. */
  readonly exerciseIds: readonly string[] | undefined;
  /** The lesson folder, where diagrams (`![alt](./file.svg)`) are read from. */
  readonly lessonDir: string;
}

/**
 * Compiles a lesson body to a function body for `run()`, after checking that it uses
 * only the lesson components and places every exercise exactly once, and inlining its
 * diagrams. The frontmatter stays in the file (remark-frontmatter skips it) so reported
 * lines match the editor.
 */
export async function compileLessonBody(file: VFile, { exerciseIds, lessonDir }: CompileOptions): Promise<CompileResult> {
  const problems: BodyProblem[] = [];
  try {
    const out = await compile(file, {
      outputFormat: 'function-body',
      remarkPlugins: [
        remarkFrontmatter,
        remarkGfm,
        [remarkLessonComponents, { exerciseIds, problems }],
        [remarkDiagrams, { lessonDir, problems }],
      ],
      rehypePlugins: [
        // Languages load when a lesson first uses one: loading all of shiki's grammars up
        // front cost every server start and build about 20 s of CPU here.
        [rehypeShiki, { themes: { light: 'github-light', dark: 'github-dark' }, langs: [], lazy: true, fallbackLanguage: 'text', defaultLanguage: 'text' }],
      ],
    });
    return problems.length > 0 ? { ok: false, problems } : { ok: true, code: String(out) };
  } catch (error) {
    const place = placeOf(error);
    return {
      ok: false,
      problems: [
        ...problems,
        {
          ...place,
          message: `MDX syntax error: ${reasonOf(error)}`,
          fix: 'close every JSX tag, quote attribute values, and write a literal { or < as {"{"} or &lt;',
        },
      ],
    };
  }
}

type Positioned = { position?: { start: { line: number; column: number } } };

function reporter(problems: BodyProblem[]) {
  return (node: Positioned, message: string, fix: string) =>
    problems.push({ line: node.position?.start.line, column: node.position?.start.column, message, fix });
}

function remarkLessonComponents({ exerciseIds, problems }: Pick<CompileOptions, 'exerciseIds'> & { problems: BodyProblem[] }) {
  return (tree: Root) => {
    const placed = new Map<string, number>();
    const report = reporter(problems);

    visit(tree, (node) => {
      if (node.type === 'mdxjsEsm') {
        report(node, 'import/export statements are not allowed in lessons', `remove it; lessons can use the components ${LESSON_COMPONENTS.join(', ')} without importing them`);
        return;
      }
      if (node.type !== 'mdxJsxFlowElement' && node.type !== 'mdxJsxTextElement') return;
      const name = node.name;
      // Fragments and lowercase HTML-like tags are plain markup.
      if (name === null || /^[a-z]/.test(name)) return;
      if (!known.has(name)) {
        report(node, `unknown component <${name}>`, `use one of ${LESSON_COMPONENTS.map((c) => `<${c}>`).join(', ')}`);
        return;
      }
      if (name === 'Exercise') {
        const id = literalAttribute(node.attributes, 'id');
        if (id === undefined) {
          report(node, '<Exercise> needs an id="…" attribute with a literal string', `write <Exercise id="${exerciseIds?.[0] ?? 'exercise-id'}">`);
        } else if (exerciseIds && !exerciseIds.includes(id)) {
          report(node, `<Exercise id="${id}"> names no exercise of this lesson`, `use one of the frontmatter exercise ids: ${exerciseIds.join(', ')}`);
        } else {
          placed.set(id, (placed.get(id) ?? 0) + 1);
        }
      }
      if (name === 'Run' && literalAttribute(node.attributes, 'command') === undefined) {
        report(node, '<Run> needs a command="…" attribute with a literal string', 'write <Run command="docker ps" />');
      }
    });

    for (const id of exerciseIds ?? []) {
      const count = placed.get(id) ?? 0;
      if (count === 0) {
        problems.push({ line: undefined, column: undefined, message: `exercise '${id}' is declared in the frontmatter but never placed`, fix: `add <Exercise id="${id}">…</Exercise> where the learner should do it` });
      } else if (count > 1) {
        problems.push({ line: undefined, column: undefined, message: `exercise '${id}' is placed ${count} times`, fix: `keep one <Exercise id="${id}">` });
      }
    }
  };
}

/**
 * Turns each paragraph that holds only `![alt](./file.svg)` into a <figure> with the
 * SVG inlined (see diagram.ts). A figure cannot sit inside a <p>, so an image that shares
 * its paragraph with text is reported rather than rendered.
 */
function remarkDiagrams({ lessonDir, problems }: Pick<CompileOptions, 'lessonDir'> & { problems: BodyProblem[] }) {
  return async (tree: Root) => {
    const report = reporter(problems);
    const placements: { image: Image; paragraph: Paragraph }[] = [];
    visit(tree, (node, _index, parent) => {
      if (node.type === 'imageReference') {
        report(node, `image reference ![${node.alt ?? ''}][${node.label ?? node.identifier}] cannot be inlined`, 'write the path in place: ![alt text](./file.svg)');
        return;
      }
      if (node.type !== 'image') return;
      const standalone = parent?.type === 'paragraph' && parent.children.every((c) => c === node || (c.type === 'text' && c.value.trim() === ''));
      if (standalone) placements.push({ image: node, paragraph: parent });
      else report(node, `diagram '${node.url}' shares its paragraph with other content`, 'put the image on a line of its own, with a blank line before and after it');
    });
    const results = await Promise.all(
      placements.map(({ image }) => loadDiagram(lessonDir, { url: image.url, alt: image.alt ?? '', title: image.title ?? undefined })),
    );
    for (const [i, { image, paragraph }] of placements.entries()) {
      const result = results[i]!;
      if (!result.ok) {
        report(image, result.problem.message, result.problem.fix);
        continue;
      }
      // mdast-util-to-hast turns the paragraph into the figure (hName, hProperties, hChildren).
      const { tagName, properties, children } = result.figure;
      paragraph.data = { ...paragraph.data, hName: tagName, hProperties: properties, hChildren: children };
    }
  };
}

function literalAttribute(attributes: ReadonlyArray<MdxJsxAttribute | MdxJsxExpressionAttribute>, name: string): string | undefined {
  const attribute = attributes.find((a): a is MdxJsxAttribute => a.type === 'mdxJsxAttribute' && a.name === name);
  return typeof attribute?.value === 'string' ? attribute.value : undefined;
}

function placeOf(error: unknown): { line: number | undefined; column: number | undefined } {
  if (error && typeof error === 'object' && 'line' in error && typeof error.line === 'number') {
    const column = 'column' in error && typeof error.column === 'number' ? error.column : undefined;
    return { line: error.line, column };
  }
  return { line: undefined, column: undefined };
}

function reasonOf(error: unknown): string {
  if (error && typeof error === 'object' && 'reason' in error && typeof error.reason === 'string') return error.reason;
  return error instanceof Error ? error.message : String(error);
}
