/**
 * A tiny template renderer: `{{path.to.value}}` is replaced from the view object, and a section
 * `{{#list}}…{{/list}}` is repeated once per item of a list (the digest's agreements; a list of one empty
 * item shows a part only when it applies). Templates are files beside this code (`templates/<kind>.txt`
 * with a `Subject:` first line, and `templates/<kind>.html`), read once and cached. A template error
 * (missing file or variable) can never succeed on a retry, so it fails non-retryably.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { BAD_DATA, type MessageKind } from '../interfaces';
import type { View, ViewValue } from './view';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

interface Template {
  subject: string;
  text: string;
  html: string;
}

const TAG = /\{\{\s*([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*\}\}/g;
const SECTION_TAG = /\{\{[#/][A-Za-z0-9_]+\}\}/g;
// A section's tags on lines of their own leave no blank lines behind.
const SECTION = /\{\{#([A-Za-z0-9_]+)\}\}\n?([\s\S]*?)\{\{\/\1\}\}\n?/g;

function templateError(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`template error: ${message}`, BAD_DATA);
}

/**
 * The folder holding package.json: the same from tsx (activities/mail) and from the compiled code
 * (lib/activities/mail), so the templates are found beside the sources either way.
 */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const TEMPLATES_DIR = path.join(projectRoot(), 'activities', 'mail', 'templates');

const cache = new Map<string, Template>();

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  } catch (err) {
    throw templateError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

// Every `{{` must open a well-formed tag: a typo would otherwise reach the recipient verbatim.
function checkTags(source: string, file: string): void {
  const opened = source.split('{{').length - 1;
  const tags = [...source.matchAll(TAG)].length;
  const sectionTags = [...source.matchAll(SECTION_TAG)].map((m) => m[0]);
  if (opened !== tags + sectionTags.length) throw templateError(`${file} has a malformed {{…}} tag`);
  for (const open of sectionTags.filter((t) => t.startsWith('{{#'))) {
    const close = open.replace('{{#', '{{/');
    if (sectionTags.filter((t) => t === open).length !== sectionTags.filter((t) => t === close).length)
      throw templateError(`${file} has a ${open} section without its ${close}`);
  }
}

/** Reads (once) the text and HTML templates of a kind. */
export function loadTemplate(kind: MessageKind, dir = TEMPLATES_DIR): Template {
  const cacheKey = path.join(dir, kind);
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const txtFile = path.join(dir, `${kind}.txt`);
  const htmlFile = path.join(dir, `${kind}.html`);
  const txt = read(txtFile);
  const html = read(htmlFile);
  const match = /^Subject:[ \t]*(.+)\n\n([\s\S]*)$/.exec(txt);
  if (!match?.[1] || match[2] === undefined)
    throw templateError(`${txtFile} must start with "Subject: …" and a blank line`);
  checkTags(txt, txtFile);
  checkTags(html, htmlFile);
  const template = { subject: match[1].trim(), text: match[2].trimEnd() + '\n', html };
  cache.set(cacheKey, template);
  return template;
}

function lookup(view: View, name: string, where: string): ViewValue {
  let value: View | View[] | ViewValue | undefined = view;
  for (const part of name.split('.')) {
    value =
      value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, part)
        ? value[part]
        : undefined;
  }
  if (value === undefined) throw templateError(`${where} uses {{${name}}}, which is not set`);
  if (value !== null && typeof value === 'object')
    throw templateError(`${where} uses {{${name}}}, which is not a single value`);
  return value;
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

function fillTags(source: string, view: View, where: string, encode: (v: string) => string): string {
  return source.replace(TAG, (_tag, name: string) => {
    const value = lookup(view, name, where);
    return encode(value === null ? '' : String(value));
  });
}

/**
 * Replaces every tag in one pass (a value is never read as a template); `encode` turns a value into what
 * may appear in this output. A section repeats once per item; inside it the item's names come first.
 */
export function fill(source: string, view: View, where: string, encode: (v: string) => string): string {
  let out = '';
  let last = 0;
  for (const match of source.matchAll(SECTION)) {
    const [whole, name = '', body = ''] = match;
    out += fillTags(source.slice(last, match.index), view, where, encode);
    const list = Object.hasOwn(view, name) ? view[name] : undefined;
    if (!Array.isArray(list)) throw templateError(`${where} repeats {{#${name}}}, which is not a list`);
    out += list.map((item) => fill(body, { ...view, ...item }, where, encode)).join('');
    last = match.index + whole.length;
  }
  return out + fillTags(source.slice(last), view, where, encode);
}

const CONTENT = '<!-- content -->';

/** The page every HTML message shares; a kind's .html is only what goes inside its body. */
function loadLayout(dir: string): string {
  const file = path.join(dir, '_layout.html');
  let layout = cache.get(file)?.html;
  if (layout === undefined) {
    layout = read(file);
    if (!layout.includes(CONTENT)) throw templateError(`${file} has no ${CONTENT} placeholder`);
    checkTags(layout, file);
    cache.set(file, { subject: '', text: '', html: layout });
  }
  return layout;
}

/** Renders a kind's subject, text and HTML bodies. */
export function render(kind: MessageKind, view: View, dir = TEMPLATES_DIR): RenderedMessage {
  const template = loadTemplate(kind, dir);
  // A header is one line: any line break in a value becomes a space (the header cannot be split).
  const subject = fill(template.subject, view, `${kind}.txt subject`, (v) => v.replace(/\s+/g, ' ')).trim();
  const text = fill(template.text, view, `${kind}.txt`, (v) => v);
  const content = fill(template.html, view, `${kind}.html`, escapeHtml);
  const page = fill(loadLayout(dir), { subject }, '_layout.html', escapeHtml);
  return { subject, text, html: page.replace(CONTENT, () => content.trimEnd()) };
}
