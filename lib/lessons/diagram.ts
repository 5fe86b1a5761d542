import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Element, ElementContent, Properties } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { sanitize, type Schema } from 'hast-util-sanitize';

/**
 * Diagrams are SVG files in the lesson folder, placed with `![alt](./file.svg)` and
 * inlined into the page at compile time, so their `currentColor` and `var(--diagram-*)`
 * colours follow the page's light or dark theme (an `<img>` could not see the page's CSS).
 */

/** What is wrong with a diagram reference, phrased for its author. */
export interface DiagramProblem {
  readonly message: string;
  readonly fix: string;
}

export type DiagramResult = { readonly ok: true; readonly figure: Element } | { readonly ok: false; readonly problem: DiagramProblem };

export interface DiagramReference {
  /** The image's destination as written, e.g. `./process-tree.svg`. */
  readonly url: string;
  /** The alt text: the figure's accessible name. */
  readonly alt: string;
  /** The optional markdown title (`![alt](./x.svg "Caption")`), shown as a visible caption. */
  readonly title: string | undefined;
}

/**
 * Reads, checks and inlines one diagram. `lessonDir` is the lesson folder; the file must
 * be an SVG inside it.
 */
export async function loadDiagram(lessonDir: string, { url, alt, title }: DiagramReference): Promise<DiagramResult> {
  const fail = (message: string, fix: string): DiagramResult => ({ ok: false, problem: { message, fix } });
  const shown = rel(lessonDir);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || path.isAbsolute(url)) {
    return fail(`image '${url}' is not a file in the lesson folder`, `put the SVG in ${shown}/ and write ![…](./name.svg)`);
  }
  const file = path.resolve(lessonDir, url);
  const inside = path.relative(path.resolve(lessonDir), file);
  if (inside.startsWith('..') || path.isAbsolute(inside)) {
    return fail(`image '${url}' points outside the lesson folder`, `copy the SVG into ${shown}/ and write ![…](./${path.basename(url)})`);
  }
  if (path.extname(file).toLowerCase() !== '.svg') {
    return fail(`image '${url}' is not an SVG`, 'draw the diagram as an SVG file (inlined, it follows the light and dark themes); other images are not supported');
  }
  if (alt.trim() === '') {
    return fail(`diagram '${url}' has no alt text`, `describe what it shows between the brackets: ![the client talks to dockerd over a socket](${url})`);
  }
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch {
    return fail(`diagram '${url}' does not exist`, `create ${rel(file)} or correct the path`);
  }
  const svg = parseSvg(source);
  if (!svg) return fail(`diagram '${url}' holds no <svg> element`, 'save it as an SVG document whose root element is <svg>');
  if (typeof svg.properties.viewBox !== 'string') {
    return fail(`diagram '${url}' has no viewBox on its <svg>`, 'add viewBox="0 0 WIDTH HEIGHT" so the diagram scales with the page');
  }
  prefixIds(svg, path.basename(file, path.extname(file)).replace(/[^A-Za-z0-9_-]/g, '-'));
  // The figure carries the name; the drawing itself is not read out element by element.
  svg.properties = { ...svg.properties, ariaHidden: 'true' };
  const caption: ElementContent[] = title
    ? [{ type: 'element', tagName: 'figcaption', properties: {}, children: [{ type: 'text', value: title }] }]
    : [];
  return {
    ok: true,
    figure: { type: 'element', tagName: 'figure', properties: { className: ['diagram'], ariaLabel: alt.trim() }, children: [svg, ...caption] },
  };
}

/**
 * What a diagram may contain: shapes, text, markers, gradients and presentation
 * attributes. Scripts, event handlers (`on*`), `<foreignObject>` and external links
 * are dropped; so is `<style>`, because a style sheet inside inline SVG applies to the
 * whole page: style diagrams with attributes, `style="…"` and the --diagram-* colours.
 */
const SVG_SCHEMA: Schema = {
  tagNames: [
    'svg', 'g', 'defs', 'title', 'desc', 'symbol', 'use', 'marker',
    'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon',
    'text', 'tspan', 'textPath', 'linearGradient', 'radialGradient', 'stop', 'clipPath', 'mask', 'pattern',
  ],
  attributes: {
    // hast property names (stroke-width → strokeWidth), as the parser produces them.
    '*': [
      'id', 'className', 'style', 'transform', 'opacity', 'display', 'visibility', 'color',
      'x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'rx', 'ry', 'dx', 'dy', 'fx', 'fy',
      'width', 'height', 'd', 'points', 'pathLength', 'viewBox', 'preserveAspectRatio',
      'fill', 'fillOpacity', 'fillRule', 'stroke', 'strokeWidth', 'strokeDashArray', 'strokeDashOffset',
      'strokeLineCap', 'strokeLineJoin', 'strokeMiterLimit', 'strokeOpacity', 'paintOrder', 'vectorEffect',
      'clipPath', 'clipRule', 'clipPathUnits', 'mask', 'maskUnits', 'maskContentUnits',
      'markerStart', 'markerMid', 'markerEnd', 'markerWidth', 'markerHeight', 'markerUnits', 'refX', 'refY', 'orient',
      'fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'textAnchor', 'dominantBaseline', 'alignmentBaseline',
      'letterSpacing', 'textDecoration', 'textLength', 'lengthAdjust', 'startOffset',
      'offset', 'stopColor', 'stopOpacity', 'gradientUnits', 'gradientTransform', 'spreadMethod',
      'patternUnits', 'patternContentUnits', 'patternTransform',
      // Only same-document references (#id): nothing is fetched from elsewhere.
      ['href', /^#/], ['xLinkHref', /^#/],
    ],
  },
  protocols: {},
  strip: ['script', 'style', 'foreignObject'],
  ancestors: {},
  required: {},
  // Ids get a per-diagram prefix below instead, with their references rewritten.
  clobber: [],
  allowComments: false,
  allowDoctypes: false,
};

/** Parses the file as the browser would parse inline SVG, then sanitizes it. */
function parseSvg(source: string): Element | undefined {
  const root = sanitize(fromHtml(source, { fragment: true }), SVG_SCHEMA);
  if (root.type !== 'root') return undefined;
  const elements = root.children.filter((node) => node.type === 'element');
  return elements.length === 1 && elements[0]!.tagName === 'svg' ? elements[0] : undefined;
}

/**
 * Ids are global to the page: two diagrams that both define `#arrow` would share one
 * marker. Each diagram's ids get its file name as a prefix, and `url(#…)` and `#…`
 * references to them follow.
 */
function prefixIds(svg: Element, prefix: string): void {
  const ids = new Set<string>();
  walk(svg, (element) => {
    if (typeof element.properties.id === 'string') ids.add(element.properties.id);
  });
  if (ids.size === 0) return;
  const renamed = (id: string) => (ids.has(id) ? `${prefix}-${id}` : id);
  walk(svg, (element) => {
    const properties: Properties = {};
    for (const [name, value] of Object.entries(element.properties)) {
      if (typeof value !== 'string') {
        properties[name] = value;
      } else if (name === 'id') {
        properties[name] = renamed(value);
      } else if ((name === 'href' || name === 'xLinkHref') && value.startsWith('#')) {
        properties[name] = `#${renamed(value.slice(1))}`;
      } else {
        properties[name] = value.replace(/url\(\s*#([^)\s]+)\s*\)/g, (_, id: string) => `url(#${renamed(id)})`);
      }
    }
    element.properties = properties;
  });
}

function walk(element: Element, visit: (element: Element) => void): void {
  visit(element);
  for (const child of element.children) if (child.type === 'element') walk(child, visit);
}

function rel(p: string): string {
  return path.relative(process.cwd(), p) || '.';
}
