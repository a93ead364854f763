/**
 * Mail templates, rendered with Handlebars in strict mode: `{{path.to.value}}` is replaced from the view
 * object, a section `{{#list}}…{{/list}}` is repeated once per item of a list (inside it, `{{name}}` is the
 * item's), and `{{#if list}}…{{/if}}` shows a part only when the list has items. Templates are files beside
 * this code (`templates/<kind>.txt` with a `Subject:` first line, and `templates/<kind>.html`, which goes
 * where `_layout.html` says `{{content}}`), compiled once and cached. A template error (a missing file or
 * value, a malformed tag) can never succeed on a retry, so it fails non-retryably.
 *
 * Two choices keep every message byte for byte what the hand-written renderer before produced (see
 * test/mail-golden.test.ts):
 * - Values are encoded here for each output (HTML-escaped, on one line for the subject, raw in the text)
 *   and every template compiles with `noEscape`: Handlebars' own escaping writes `&#x27;` for `'` and
 *   also escapes `=` and backticks.
 * - A block's tag removes the one line break right after it and nothing else. Handlebars' standalone-line
 *   rule would also remove the indentation before an indented tag (the rows of digest.html's table).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../common/project-root';
import { ApplicationFailure } from '@temporalio/common';
import Handlebars from 'handlebars';
import { BAD_DATA, type MessageKind } from '../interfaces';
import type { View, ViewValue } from './view';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** One compiled template: the view, its values already encoded for this output, to the output. */
export type Part = (context: unknown) => string;

/** A kind's compiled templates: the subject line, the text body, and the HTML body (without the layout). */
export interface Template {
  subject: Part;
  text: Part;
  html: Part;
}

const OPTIONS: CompileOptions = {
  strict: true,
  knownHelpersOnly: true,
  noEscape: true,
  ignoreStandalone: true,
};

function templateError(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`template error: ${message}`, BAD_DATA);
}

export { projectRoot };

export const TEMPLATES_DIR = path.join(projectRoot(), 'activities', 'mail', 'templates');

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  } catch (err) {
    throw templateError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

function eatLineBreak(node: hbs.AST.Statement | undefined): void {
  if (node?.type === 'ContentStatement') {
    const content = node as hbs.AST.ContentStatement;
    content.value = content.value.replace(/^\n/, '');
  }
}

/**
 * The whitespace rule above: after each block's opening, `{{else}}` and closing tags, one line break goes;
 * after a partial's tag (`{{> status-link}}` on a line of its own) too, so a partial is its file's lines.
 */
function eatLineBreaksAfterBlocks(program: hbs.AST.Program | undefined): void {
  program?.body.forEach((node, i) => {
    if (node.type === 'PartialStatement') eatLineBreak(program.body[i + 1]);
    if (node.type !== 'BlockStatement') return;
    const block = node as hbs.AST.BlockStatement;
    for (const inner of [block.program, block.inverse]) {
      eatLineBreak(inner?.body[0]);
      eatLineBreaksAfterBlocks(inner);
    }
    eatLineBreak(program.body[i + 1]);
  });
}

/** What a list or a group of values turns into as text; found in an output, it fails the render. */
const NOT_A_VALUE = '\u{f8ff}not a single value\u{f8ff}';

const notSet = (err: unknown) => / not defined in /.test((err as Error).message);

/** Partials by name (`{{> name}}`), compiled like the templates. */
type Partials = Record<string, Part>;

/**
 * Parses and compiles `source`: a malformed tag or an unknown helper fails here, at load. `where` names
 * it in errors ("executed.txt"), `firstLine` is its first line's number in that file; `partials` are
 * those its `{{> name}}` tags may use.
 */
function compile(source: string, where: string, firstLine = 1, partials: Partials = {}): Part {
  const line = (n: number) => n + firstLine - 1;
  const failure = (err: unknown): ApplicationFailure => {
    const { message, lineNumber, column, endColumn } = err as Handlebars.Exception;
    // Strict mode's `"name" not defined in …`: name the tag as the template spells it.
    if (notSet(err) && typeof lineNumber === 'number') {
      const tag = source.split('\n')[lineNumber - 1]?.slice(column, endColumn);
      return templateError(`${where} line ${line(lineNumber)} uses {{${tag}}}, which is not set`);
    }
    // Handlebars counts lines from the start of `source` ("on line 2:", " - 2:4").
    const located = message.replace(/(on line | - )(\d+)(?=:)/, (_, at: string, n: string) => at + line(+n));
    return templateError(`${where}: ${located}`);
  };
  let template: HandlebarsTemplateDelegate;
  try {
    const ast = Handlebars.parseWithoutProcessing(source);
    eatLineBreaksAfterBlocks(ast);
    template = Handlebars.compile(ast, OPTIONS);
    // Handlebars compiles on first use: a first use on no values at all compiles it now.
    template({}, { partials });
  } catch (err) {
    if (!notSet(err)) throw failure(err);
  }
  return (context) => {
    let out: string;
    try {
      out = template(context, { partials });
    } catch (err) {
      throw failure(err);
    }
    if (out.includes(NOT_A_VALUE))
      throw templateError(`${where} puts a list or a group of values where a single value belongs`);
    return out;
  };
}

const cache = new Map<string, Template>();

/**
 * Reads and compiles (once per folder) the text and HTML templates of a kind. Throws the non-retryable
 * template error for a missing file, a text template without its `Subject: …` line and blank line, or a
 * malformed tag.
 */
export function loadTemplate(kind: MessageKind, dir = TEMPLATES_DIR): Template {
  const cacheKey = path.join(dir, kind);
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const txtFile = path.join(dir, `${kind}.txt`);
  const txt = read(txtFile);
  const { txt: textPartials, html: htmlPartials } = loadPartials(dir);
  const html = read(path.join(dir, `${kind}.html`));
  const match = /^Subject:[ \t]*(.+)\n\n([\s\S]*)$/.exec(txt);
  if (!match?.[1] || match[2] === undefined)
    throw templateError(`${txtFile} must start with "Subject: …" and a blank line`);
  const template = {
    subject: compile(match[1].trim(), `${kind}.txt subject`),
    text: compile(match[2].trimEnd() + '\n', `${kind}.txt`, 3, textPartials),
    html: compile(html, `${kind}.html`, 1, htmlPartials),
  };
  cache.set(cacheKey, template);
  return template;
}

const partialSets = new Map<string, { txt: Partials; html: Partials }>();

/**
 * The parts several kinds share, `_<name>.txt` and `_<name>.html` beside them (all but `_layout.html`):
 * `{{> name}}` in a kind's text body uses the first, in its HTML body the second.
 */
function loadPartials(dir: string): { txt: Partials; html: Partials } {
  let sets = partialSets.get(dir);
  if (!sets) {
    sets = { txt: {}, html: {} };
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch (err) {
      throw templateError(`cannot read ${dir}: ${(err as Error).message}`);
    }
    for (const file of files) {
      const found = /^_(.+)\.(txt|html)$/.exec(file);
      if (!found?.[1] || file === '_layout.html') continue;
      const ext = found[2] as 'txt' | 'html';
      sets[ext][found[1]] = compile(read(path.join(dir, file)), file);
    }
    partialSets.set(dir, sets);
  }
  return sets;
}

const layouts = new Map<string, Part>();

/** The page every HTML message shares, with `{{subject}}` and `{{content}}`: a kind's HTML body. */
function loadLayout(dir: string): Part {
  const file = path.join(dir, '_layout.html');
  let layout = layouts.get(file);
  if (!layout) {
    const source = read(file);
    if (!source.includes('{{content}}')) throw templateError(`${file} has no {{content}}`);
    layout = compile(source, '_layout.html');
    layouts.set(file, layout);
  }
  return layout;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * The view with every string encoded for one output. Its groups have no prototype (a template sees only
 * the view's own names), and a group or list turns into NOT_A_VALUE where the template wants text.
 */
function encoded(value: View | View[] | ViewValue, encode: (v: string) => string): unknown {
  if (typeof value === 'string') return encode(value);
  if (value === null || typeof value !== 'object') return value;
  const copy: object = Array.isArray(value)
    ? value.map((item) => encoded(item, encode))
    : Object.setPrototypeOf(
        Object.fromEntries(Object.entries(value).map(([name, v]) => [name, encoded(v, encode)])),
        null,
      );
  return Object.defineProperty(copy, Symbol.toPrimitive, { value: () => NOT_A_VALUE });
}

/**
 * Renders a kind's subject, text and HTML bodies from `view` (View: values, groups of values, lists of
 * groups). Throws the non-retryable template error (BAD_DATA) for a template that cannot load, or that
 * uses a value the view does not set.
 */
export function render(kind: MessageKind, view: View, dir = TEMPLATES_DIR): RenderedMessage {
  const template = loadTemplate(kind, dir);
  // A header is one line: any line break in a value becomes a space (the header cannot be split).
  const subject = template.subject(encoded(view, (v) => v.replace(/\s+/g, ' '))).trim();
  const text = template.text(encoded(view, (v) => v));
  const content = template.html(encoded(view, escapeHtml)).trimEnd();
  return { subject, text, html: loadLayout(dir)({ subject: escapeHtml(subject), content }) };
}
