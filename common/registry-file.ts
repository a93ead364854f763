/**
 * The whole Registered Institutions list as a file: what `dura institutions export` writes and
 * `dura institutions import` reads back (an upsert: the export imported into an empty database exports
 * the same again). Two forms of one content, validated with zod at the boundary:
 *
 * JSON: an array of institutions, each as `dura institutions show --json` prints its `registry`:
 *
 *   [{ "id": "uw.edu",                              // its primary domain
 *      "name": "University of Washington",
 *      "domains": ["uw.edu", "washington.edu"],     // all of them, the id first
 *      "tiers": [{ "tier": "controlled",            // registered | controlled
 *                  "rule": "individual",            // domains | individual
 *                  "listedOn": "2025-06-02",        // YYYY-MM-DD
 *                  "agreementId": "uw.edu-2",       // null: imported
 *                  "addresses": [{ "email": "ada@uw.edu", "listedOn": "2025-06-02", "agreementId": null }] }],
 *      "officials": [{ "name": "Sam Signer", "email": "osp@uw.edu", "title": "Director" }],
 *      "contractingContact": "contracts@uw.edu" }]  // or null
 *
 * On import only `id` and `name` are required; `domains`, `tiers`, `addresses`, `officials`, a tier's
 * `rule`, `listedOn` and `agreementId`, an official's `title` and `contractingContact` may be left out.
 *
 * CSV: one row per institution, the columns `domain,name,tiers,domains,rules,addresses,officials,
 * contracting_contact` (on import: `domain` and `name` required, the others optional, in any order; an
 * empty cell says nothing). A list cell has its items between `;` (written `\;` inside an item, and `\`
 * as `\\`), each in a compact form:
 *
 *   tiers        `<tier> [<listed-on> [<agreement-id>]]`   registered 2025-03-31 dura-uw.edu;controlled 2025-06-02
 *   domains      `<domain>`                               uw.edu;washington.edu
 *   rules        `<tier>=<rule>`                          registered=domains;controlled=individual
 *   addresses    `<tier>=<email> [<listed-on> [<agreement-id>]]`   controlled=ada@uw.edu 2025-06-02 uw.edu-2
 *   officials    `<name> <<email>> [(<title>)]`            Sam Signer <osp@uw.edu> (Director)
 *
 * `contracting_contact` is one address. The older CSV of three columns, `domain,name,tiers`
 * (registry-csv.ts), is still read as it always was.
 */
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { normalizeDomain, TIERS, type Tier } from './agreement';
import { MEMBERSHIP_RULES, parseEmail, type MembershipRule } from './coverage';
import { formatProblem, readCsv, type CsvProblem } from './csv';

/** An e-mail domain as the list holds it: lower-case labels, at least two. */
export const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

// ---- the content ------------------------------------------------------------------------------------

export interface FileAddress {
  email: string;
  /** YYYY-MM-DD */
  listedOn: string;
  agreementId: string | null;
}

export interface FileTier {
  tier: Tier;
  rule: MembershipRule;
  /** YYYY-MM-DD */
  listedOn: string;
  /** The agreement that listed it; null: imported. */
  agreementId: string | null;
  /** The addresses listed for the tier (those an `individual` rule covers). */
  addresses: FileAddress[];
}

/** One institution as the export writes it (the shape of InstitutionProfile, activities/records/registry.ts). */
export interface FileInstitution {
  /** Its primary domain. */
  id: string;
  name: string;
  /** All its domains, the id first. */
  domains: string[];
  /** In TIERS order. */
  tiers: FileTier[];
  officials: Array<{ name: string; email: string; title: string | null }>;
  contractingContact: string | null;
}

/** A path into the JSON form of one institution, e.g. ['tiers', 1, 'addresses', 0, 'email']. */
export type EntryPath = ReadonlyArray<string | number>;

/** One institution as read from a file: what it says; what it leaves out is undefined. */
export interface ImportEntry {
  id: string;
  name: string;
  /** The id first, then the other domains given (without repeats). */
  domains: string[];
  /** Where each domain is in the file, to name it in a problem. */
  domainPaths: Map<string, EntryPath>;
  tiers: Array<{
    tier: Tier;
    rule?: MembershipRule;
    listedOn?: string;
    agreementId?: string | null;
    addresses: Array<{ email: string; listedOn?: string; agreementId?: string | null }>;
  }>;
  officials: Array<{ name: string; email: string; title: string | null }>;
  /** undefined (or null in JSON): leaves the recorded one as it is. */
  contractingContact?: string;
  /** Where the institution is in the file: its CSV line, or its index in the JSON array. */
  source: { line: number } | { index: number };
}

/** A problem at a CSV line and column, or at a JSON path such as `[3].officials[0].email`. */
export type FileProblem = CsvProblem | { path: string; message: string };

export function formatFileProblem(problem: FileProblem): string {
  return 'path' in problem ? `${problem.path}: ${problem.message}` : formatProblem(problem);
}

export type RegistryFileFormat = 'json' | 'csv' | 'csv-domain-name-tiers';

export interface ParsedRegistryFile {
  format: 'json' | 'csv';
  /** The valid institutions, in file order. */
  entries: ImportEntry[];
  problems: FileProblem[];
  /** The file cannot be read at all (not JSON, not an array, a bad header): nothing to import. */
  fatal: boolean;
}

// ---- reading -----------------------------------------------------------------------------------------

export const CSV_COLUMNS = [
  'domain',
  'name',
  'tiers',
  'domains',
  'rules',
  'addresses',
  'officials',
  'contracting_contact',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
const OLD_COLUMNS = ['domain', 'name', 'tiers'];

/**
 * Which form the file is in: by its extension (.json, .csv), else by its content (JSON starts with `[`
 * or `{`). A CSV whose header is exactly `domain,name,tiers` is the older form (registry-csv.ts).
 */
export function registryFileFormat(file: string, text: string): RegistryFileFormat {
  const ext = /\.([a-z0-9]+)$/i.exec(file)?.[1]?.toLowerCase();
  const json = ext === 'json' || (ext !== 'csv' && /^\s*[[{]/.test(text));
  if (json) return 'json';
  const header = headerOf(readCsv(text)[0]?.fields ?? []);
  const old = header.length === OLD_COLUMNS.length && OLD_COLUMNS.every((c) => header.includes(c));
  return old ? 'csv-domain-name-tiers' : 'csv';
}

/** Parses and validates a JSON or CSV (the export's columns) file; `entries` holds the valid ones. */
export function parseRegistryFile(text: string, format: 'json' | 'csv'): ParsedRegistryFile {
  return format === 'json' ? parseJson(text) : parseCsv(text);
}

/** A problem at the path of an institution read from the file (its CSV column, or its JSON path). */
export function problemAt(entry: Pick<ImportEntry, 'source'>, path: EntryPath, message: string): FileProblem {
  return 'line' in entry.source
    ? { line: entry.source.line, field: columnOf(path), message }
    : { path: jsonPath([entry.source.index, ...path]), message };
}

const ONE_LINE = (v: string) => !/[\r\n]/.test(v);
const text = (what: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? 'is missing' : `expected ${what} as a string`) })
    .trim()
    .min(1, 'is empty')
    .max(200, 'is longer than 200 characters')
    .refine(ONE_LINE, 'must be on one line');
const domain = z
  .string({ error: (i) => (i.input === undefined ? 'is missing' : 'expected a domain as a string') })
  .transform(normalizeDomain)
  .pipe(z.string().min(1, 'is empty').regex(DOMAIN, 'expected an e-mail domain such as uw.edu'));
const email = z
  .string({ error: (i) => (i.input === undefined ? 'is missing' : 'expected an e-mail address') })
  .transform((value, ctx) => {
    const parsed = parseEmail(value);
    if (parsed) return parsed.email;
    ctx.issues.push({ code: 'custom', input: value, message: `"${value}": not an e-mail address` });
    return z.NEVER;
  });
const date = z
  .string({ error: 'expected a date YYYY-MM-DD' })
  .trim()
  .refine(
    (v) => {
      const at = Date.parse(`${v}T00:00:00Z`);
      return /^\d{4}-\d\d-\d\d$/.test(v) && !Number.isNaN(at) && new Date(at).toISOString().startsWith(v);
    },
    { error: (i) => `"${String(i.input)}": expected a date YYYY-MM-DD` },
  );
const agreementId = z
  .string({ error: 'expected an agreement id such as uw.edu-2, or null' })
  .trim()
  .regex(/^[^\s;\\]{1,200}$/, 'expected an agreement id such as uw.edu-2')
  .nullable();
const tier = z
  .string({ error: (i) => (i.input === undefined ? 'is missing' : 'expected registered or controlled') })
  .transform((v) => v.trim().toLowerCase())
  .pipe(
    z.enum(TIERS, { error: (i) => `unknown tier "${String(i.input)}": expected registered or controlled` }),
  );
const rule = z
  .string({ error: 'expected domains or individual' })
  .transform((v) => v.trim().toLowerCase())
  .pipe(
    z.enum(MEMBERSHIP_RULES, {
      error: (i) => `unknown rule "${String(i.input)}": expected domains or individual`,
    }),
  );
const title = z
  .string({ error: 'expected a title as a string, or null' })
  .trim()
  .max(200, 'is longer than 200 characters')
  .refine(ONE_LINE, 'must be on one line')
  .transform((v) => v || null)
  .nullable();

const entrySchema = z.strictObject({
  id: domain,
  name: text('a name'),
  domains: z.array(domain).optional(),
  tiers: z
    .array(
      z.strictObject({
        tier,
        rule: rule.optional(),
        listedOn: date.optional(),
        agreementId: agreementId.optional(),
        addresses: z
          .array(z.strictObject({ email, listedOn: date.optional(), agreementId: agreementId.optional() }))
          .optional(),
      }),
    )
    .optional(),
  officials: z.array(z.strictObject({ name: text('a name'), email, title: title.optional() })).optional(),
  contractingContact: email.nullable().optional(),
});
type RawEntry = z.output<typeof entrySchema>;

/** One institution validated; its problems, by path, when it is not valid. */
function validateEntry(
  value: unknown,
): { entry: Omit<ImportEntry, 'source'>; problems?: undefined } | { problems: Problem[] } {
  const parsed = entrySchema.safeParse(value);
  if (!parsed.success) return { problems: parsed.error.issues.flatMap(issueProblems) };
  const raw: RawEntry = parsed.data;
  const problems: Problem[] = [];
  const domainPaths = new Map<string, EntryPath>([[raw.id, ['id']]]);
  raw.domains?.forEach((d, j) => {
    if (!domainPaths.has(d)) domainPaths.set(d, ['domains', j]);
  });
  const tiers = raw.tiers ?? [];
  const twice = (seen: Set<string>, key: string, path: EntryPath, message: string) => {
    if (seen.has(key)) problems.push({ path, message });
    seen.add(key);
  };
  const seenTiers = new Set<string>();
  tiers.forEach((t, k) => {
    twice(seenTiers, t.tier, ['tiers', k, 'tier'], `the ${t.tier} tier is given twice`);
    const seenAddresses = new Set<string>();
    (t.addresses ?? []).forEach((a, m) =>
      twice(
        seenAddresses,
        a.email,
        ['tiers', k, 'addresses', m, 'email'],
        `${a.email} is given twice for the ${t.tier} tier`,
      ),
    );
  });
  const officials = raw.officials ?? [];
  const seenOfficials = new Set<string>();
  officials.forEach((o, m) =>
    twice(seenOfficials, o.email, ['officials', m, 'email'], `the official ${o.email} is given twice`),
  );
  if (problems.length) return { problems };
  return {
    entry: {
      id: raw.id,
      name: raw.name,
      domains: [...domainPaths.keys()],
      domainPaths,
      tiers: tiers.map((t) => ({
        tier: t.tier,
        ...(t.rule === undefined ? {} : { rule: t.rule }),
        ...(t.listedOn === undefined ? {} : { listedOn: t.listedOn }),
        ...(t.agreementId === undefined ? {} : { agreementId: t.agreementId }),
        addresses: (t.addresses ?? []).map((a) => ({
          email: a.email,
          ...(a.listedOn === undefined ? {} : { listedOn: a.listedOn }),
          ...(a.agreementId === undefined ? {} : { agreementId: a.agreementId }),
        })),
      })),
      officials: officials.map((o) => ({ name: o.name, email: o.email, title: o.title ?? null })),
      ...(raw.contractingContact ? { contractingContact: raw.contractingContact } : {}),
    },
  };
}

interface Problem {
  path: EntryPath;
  message: string;
}

function issueProblems(issue: z.core.$ZodIssue): Problem[] {
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => ({ path: [...issue.path.map(pathKey), key], message: 'unknown field' }));
  return [{ path: issue.path.map(pathKey), message: issue.message }];
}

const pathKey = (k: PropertyKey): string | number => (typeof k === 'number' ? k : String(k));

/** Marks the institutions sharing a domain with an earlier one invalid; returns those kept. */
function withoutRepeats(entries: ImportEntry[], problems: FileProblem[]): ImportEntry[] {
  const owner = new Map<string, { entry: ImportEntry; path: EntryPath }>();
  return entries.filter((entry) => {
    const repeats: FileProblem[] = [];
    for (const [d, path] of entry.domainPaths) {
      const first = owner.get(d);
      if (!first) continue;
      const where =
        'line' in first.entry.source
          ? `line ${first.entry.source.line}`
          : jsonPath([first.entry.source.index, ...first.path]);
      repeats.push(problemAt(entry, path, `${d} repeats ${where}`));
    }
    if (repeats.length) problems.push(...repeats);
    else for (const [d, path] of entry.domainPaths) owner.set(d, { entry, path });
    return repeats.length === 0;
  });
}

function parseJson(textIn: string): ParsedRegistryFile {
  const fatal = (message: string): ParsedRegistryFile => ({
    format: 'json',
    entries: [],
    problems: [{ path: '$', message }],
    fatal: true,
  });
  let value: unknown;
  try {
    value = JSON.parse(textIn);
  } catch (err) {
    return fatal(`not JSON: ${jsonError(textIn, (err as Error).message)}`);
  }
  if (!Array.isArray(value)) return fatal('expected an array of institutions');
  const problems: FileProblem[] = [];
  const entries: ImportEntry[] = [];
  value.forEach((item, index) => {
    const result = validateEntry(item);
    if (result.problems)
      problems.push(
        ...result.problems.map((p) => ({ path: jsonPath([index, ...p.path]), message: p.message })),
      );
    else entries.push({ ...result.entry, source: { index } });
  });
  const kept = withoutRepeats(entries, problems);
  return { format: 'json', entries: kept, problems: sortProblems(problems), fatal: false };
}

/** JSON.parse's message with the position as a line and column. */
function jsonError(textIn: string, message: string): string {
  const at = /at position (\d+)/.exec(message);
  if (!at) return message;
  const before = textIn.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = Number(at[1]) - before.lastIndexOf('\n');
  return `${message.replace(/\s*(in JSON )?at position \d+.*$/, '')} (line ${line}, column ${column})`;
}

/** `[3].officials[0].email` */
function jsonPath(path: EntryPath): string {
  return path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
}

/** The header's names, lower-cased, spaces and hyphens as `_`, empty trailing columns left out. */
function headerOf(fields: string[]): string[] {
  const names = fields.map((f) =>
    f
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  while (names.length && names[names.length - 1] === '') names.pop();
  return names;
}

function parseCsv(textIn: string): ParsedRegistryFile {
  const [header, ...body] = readCsv(textIn);
  const names = headerOf(header?.fields ?? []);
  const headerProblems: string[] = [];
  if (!header) headerProblems.push('the file is empty');
  names.forEach((n, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(n))
      headerProblems.push(`unknown column "${header!.fields[i]!.trim()}"`);
    else if (names.indexOf(n) !== i) headerProblems.push(`column ${n} repeats`);
  });
  for (const required of ['domain', 'name'])
    if (header && !names.includes(required)) headerProblems.push(`no column ${required}`);
  if (headerProblems.length) {
    const message = `${headerProblems.join('; ')}: expected the columns ${CSV_COLUMNS.join(',')} (domain and name required)`;
    return {
      format: 'csv',
      entries: [],
      problems: [{ line: header?.line ?? 1, field: 'header', message }],
      fatal: true,
    };
  }

  const problems: FileProblem[] = [];
  const entries: ImportEntry[] = [];
  for (const { line, fields, error } of body) {
    const extra = fields.slice(names.length).filter((f) => f.trim() !== '');
    if (error || extra.length) {
      const message =
        error ??
        `expected ${names.length} fields, found ${fields.length} (quote a value that contains a comma)`;
      problems.push({ line, field: 'row', message });
      continue;
    }
    const cells = Object.fromEntries(names.map((n, i) => [n, (fields[i] ?? '').trim()])) as Partial<
      Record<Column, string>
    >;
    const { value, items, problems: cellProblems, unread } = rowValue(cells);
    const result = validateEntry(value);
    const schemaProblems = (result.problems ?? []).filter((p) => !unread.has(itemKey(p.path)));
    const found = [...cellProblems, ...schemaProblems].map((p) => {
      const item = items.get(itemKey(p.path));
      // A message that quotes no value says which item it is about.
      const message = item && !p.message.includes('"') ? `"${item}": ${p.message}` : p.message;
      return { line, field: columnOf(p.path), message };
    });
    if (found.length) problems.push(...uniqueProblems(found));
    else if (!result.problems) entries.push({ ...result.entry, source: { line } });
  }
  const kept = withoutRepeats(entries, problems);
  return { format: 'csv', entries: kept, problems: sortProblems(problems), fatal: false };
}

/**
 * A CSV row as the JSON form of an institution (validated by the same schema), with the text of each
 * list item by its path (to quote it in a problem) and the problems of items that have no such form.
 */
function rowValue(cells: Partial<Record<Column, string>>): {
  value: Record<string, unknown>;
  items: Map<string, string>;
  problems: Problem[];
  unread: Set<string>;
} {
  const items = new Map<string, string>();
  // Items with no such form (already a problem): the schema's complaints about them are left out.
  const unread = new Set<string>();
  const problems: Problem[] = [];
  const value: Record<string, unknown> = { id: cells.domain ?? '', name: cells.name ?? '' };
  const list = (cell: string | undefined) => splitList(cell ?? '');

  if (cells.domains) {
    value.domains = list(cells.domains);
    list(cells.domains).forEach((d, j) => items.set(`domains.${j}`, d));
  }

  const tiers: Array<Record<string, unknown> & { addresses: unknown[] }> = [];
  const tierIndex = new Map<string, number>();
  list(cells.tiers).forEach((item, k) => {
    const [name, listedOn, agreement, ...rest] = item.split(/\s+/);
    items.set(`tiers.${k}`, item);
    if (rest.length)
      problems.push({ path: ['tiers', k], message: 'expected <tier> [<listed-on> [<agreement-id>]]' });
    tiers.push({
      tier: name,
      ...(listedOn === undefined ? {} : { listedOn }),
      ...(agreement === undefined ? {} : { agreementId: agreement }),
      addresses: [],
    });
    if (!tierIndex.has(name!.toLowerCase())) tierIndex.set(name!.toLowerCase(), k);
  });
  const ofTier = (name: string, path: EntryPath, form: string): number | undefined => {
    const k = tierIndex.get(name.trim().toLowerCase());
    if (k === undefined)
      problems.push({
        path,
        message: name.trim() ? `the tier ${name.trim()} is not in tiers` : `expected ${form}`,
      });
    return k;
  };

  list(cells.rules).forEach((item, r) => {
    const eq = item.indexOf('=');
    const k = ofTier(eq < 0 ? '' : item.slice(0, eq), ['rules', r], '<tier>=<rule>');
    if (k === undefined) {
      items.set(`rules.${r}`, item);
      return;
    }
    items.set(`tiers.${k}.rule`, item);
    if (tiers[k]!.rule !== undefined)
      problems.push({ path: ['tiers', k, 'rule'], message: 'a second rule for the tier' });
    tiers[k]!.rule = item.slice(eq + 1).trim();
  });

  list(cells.addresses).forEach((item, a) => {
    const eq = item.indexOf('=');
    const k = ofTier(
      eq < 0 ? '' : item.slice(0, eq),
      ['addresses', a],
      '<tier>=<email> [<listed-on> [<agreement-id>]]',
    );
    if (k === undefined) {
      items.set(`addresses.${a}`, item);
      return;
    }
    const [address, listedOn, agreement, ...rest] = item
      .slice(eq + 1)
      .trim()
      .split(/\s+/);
    const m = tiers[k]!.addresses.length;
    items.set(`tiers.${k}.addresses.${m}`, item);
    if (rest.length)
      problems.push({
        path: ['tiers', k, 'addresses', m],
        message: 'expected <tier>=<email> [<listed-on> [<agreement-id>]]',
      });
    tiers[k]!.addresses.push({
      email: address,
      ...(listedOn === undefined ? {} : { listedOn }),
      ...(agreement === undefined ? {} : { agreementId: agreement }),
    });
  });
  if (tiers.length) value.tiers = tiers;

  const officials: unknown[] = [];
  list(cells.officials).forEach((item) => {
    const m = officials.length;
    items.set(`officials.${m}`, item);
    const match = /^(.*)<([^<>]*)>\s*(?:\((.*)\))?$/s.exec(item);
    if (!match) {
      problems.push({ path: ['officials', m], message: 'expected <name> <<email>> [(<title>)]' });
      unread.add(`officials.${m}`);
      officials.push({});
      return;
    }
    officials.push({ name: match[1]!.trim(), email: match[2]!, title: match[3] ?? null });
  });
  if (officials.length) value.officials = officials;
  if (cells.contracting_contact) value.contractingContact = cells.contracting_contact;
  return { value, items, problems, unread };
}

/** The list item a path is in: `tiers.1`, `tiers.1.rule`, `tiers.1.addresses.0`, `officials.2`. */
function itemKey(path: EntryPath): string {
  const [head, i, sub, j] = path;
  if (head === 'tiers' && sub === 'addresses') return `tiers.${i}.addresses.${j}`;
  if (head === 'tiers' && sub === 'rule') return `tiers.${i}.rule`;
  return `${head}.${i}`;
}

/** The CSV column of a path in the JSON form. */
function columnOf(path: EntryPath): string {
  const [head, , sub] = path;
  if (head === 'id') return 'domain';
  if (head === 'contractingContact') return 'contracting_contact';
  if (head === 'tiers' && sub === 'addresses') return 'addresses';
  if (head === 'tiers' && sub === 'rule') return 'rules';
  return String(head ?? 'row');
}

function uniqueProblems(problems: CsvProblem[]): CsvProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(formatProblem(p)) && !!seen.add(formatProblem(p)));
}

function sortProblems(problems: FileProblem[]): FileProblem[] {
  const column = (p: CsvProblem) => {
    const i = (CSV_COLUMNS as readonly string[]).indexOf(p.field);
    return i < 0 ? -1 : i;
  };
  const index = (p: { path: string }) => Number(/^\[(\d+)\]/.exec(p.path)?.[1] ?? -1);
  return problems
    .map((p, order) => ({ p, order }))
    .sort((a, b) => {
      if ('line' in a.p && 'line' in b.p)
        return a.p.line - b.p.line || column(a.p) - column(b.p) || a.order - b.order;
      if ('path' in a.p && 'path' in b.p) return index(a.p) - index(b.p) || a.order - b.order;
      return a.order - b.order;
    })
    .map(({ p }) => p);
}

/** A list cell's items: split at `;` (not `\;`), `\x` read as x, trimmed, empty ones left out. */
export function splitList(cell: string): string[] {
  const items: string[] = [];
  let item = '';
  for (let i = 0; i < cell.length; i++) {
    const c = cell[i]!;
    if (c === '\\' && i + 1 < cell.length) item += cell[++i];
    else if (c === ';') {
      items.push(item);
      item = '';
    } else item += c;
  }
  items.push(item);
  return items.map((s) => s.trim()).filter(Boolean);
}

/** The items as one list cell: `;` between them, `;` and `\` inside an item escaped with `\`. */
export function joinList(items: readonly string[]): string {
  return items.map((s) => s.replace(/[\\;]/g, (c) => `\\${c}`)).join(';');
}

// ---- writing -----------------------------------------------------------------------------------------

/** The JSON form: the array, two-space indented. */
export function registryJson(institutions: readonly FileInstitution[]): string {
  return `${JSON.stringify(institutions, null, 2)}\n`;
}

/** The CSV form: the header, then one row per institution (csv-stringify quotes what needs it). */
export function registryCsv(
  institutions: readonly FileInstitution[],
  options: { bom?: boolean } = {},
): string {
  const dated = (first: string, listedOn: string, agreement: string | null) =>
    [first, listedOn, agreement].filter(Boolean).join(' ');
  return stringify(
    institutions.map((i) => [
      i.id,
      i.name,
      joinList(i.tiers.map((t) => dated(t.tier, t.listedOn, t.agreementId))),
      joinList(i.domains),
      joinList(i.tiers.map((t) => `${t.tier}=${t.rule}`)),
      joinList(
        i.tiers.flatMap((t) =>
          t.addresses.map((a) => dated(`${t.tier}=${a.email}`, a.listedOn, a.agreementId)),
        ),
      ),
      joinList(i.officials.map((o) => `${o.name} <${o.email}>${o.title ? ` (${o.title})` : ''}`)),
      i.contractingContact ?? '',
    ]),
    { header: true, columns: [...CSV_COLUMNS], bom: options.bom ?? false, record_delimiter: 'unix' },
  );
}
