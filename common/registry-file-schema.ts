/**
 * The content of the Registered Institutions file (common/registry-file.ts) and its validation with zod
 * at the boundary. The JSON form is this content as it is: an array of institutions, each as
 * `dura institutions show --json` prints its `registry`:
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
 *      "contractingContact": "contracts@uw.edu",    // or null
 *      "reportContact": "research-office@uw.edu" }] // or null: the monthly registration report
 *
 * On import only `id` and `name` are required; `domains`, `tiers`, `addresses`, `officials`, a tier's
 * `rule`, `listedOn` and `agreementId`, an official's `title`, `contractingContact` and `reportContact` may be left out.
 * A CSV row (registry-file-csv.ts) is read into this form and validated by the same schema.
 */
import { z } from 'zod';
import { notADomain } from './address-fields';
import { TIERS, tierExpected, type Tier } from './agreement';
import { MEMBERSHIP_RULES, parseEmail, type MembershipRule } from './coverage';
import type { CsvProblem } from './csv';
import { asciiDomain } from './idn';
import { unlistableDomain } from './unlistable-domain';
import { readWhen } from './when';

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
  reportContact: string | null;
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
  /** undefined (or null in JSON): leaves the recorded one as it is. */
  reportContact?: string;
  /** Where the institution is in the file: its CSV line, or its index in the JSON array. */
  source: { line: number } | { index: number };
}

/** A problem at a CSV line and column, or at a JSON path such as `[3].officials[0].email`. */
export type FileProblem = CsvProblem | { path: string; message: string };

export interface ParsedRegistryFile {
  format: 'json' | 'csv';
  /** The valid institutions, in file order. */
  entries: ImportEntry[];
  problems: FileProblem[];
  /** The file cannot be read at all (not JSON, not an array, a bad header): nothing to import. */
  fatal: boolean;
}

// ---- validation -------------------------------------------------------------------------------------

/**
 * A tier as either importer reads it (this file and the request CSV): any case, spaces around, so
 * `Registered`, `CONTROLLED` and ` registered ` are tiers; undefined for anything else.
 */
export function tierOf(typed: string): Tier | undefined {
  const word = typed.trim().toLowerCase();
  return TIERS.find((t) => t === word);
}

/** The problem with a word that is no tier: `unknown tier "gold": expected registered or controlled`. */
export function unknownTier(typed: string): string {
  return `unknown tier "${typed.trim()}": ${tierExpected(typed)}`;
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
  .transform(asciiDomain)
  .pipe(
    z
      .string()
      .min(1, 'is empty')
      .regex(DOMAIN, {
        error: (issue) => `${JSON.stringify(issue.input)}: ${notADomain(String(issue.input))}`,
      })
      .superRefine((domain, ctx) => {
        const unlistable = unlistableDomain(domain);
        if (unlistable) ctx.addIssue({ code: 'custom', message: unlistable });
      }),
  );
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
  // The one date reader of every input (common/when.ts): YYYY-MM-DD, a real calendar date.
  .refine((v) => !('problem' in readWhen(v, { dateOnly: true })), {
    error: (i) => `"${String(i.input)}": expected a date YYYY-MM-DD`,
  });
const agreementId = z
  .string({ error: 'expected an agreement id such as uw.edu-2, or null' })
  .trim()
  .regex(/^[^\s;\\]{1,200}$/, 'expected an agreement id such as uw.edu-2')
  .nullable();
const tier = z
  .string({ error: (i) => (i.input === undefined ? 'is missing' : `expected ${TIERS.join(' or ')}`) })
  .transform((v, ctx): Tier => {
    const known = tierOf(v);
    if (known) return known;
    ctx.issues.push({ code: 'custom', input: v, message: unknownTier(v) });
    return z.NEVER;
  });
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
  reportContact: email.nullable().optional(),
});
type RawEntry = z.output<typeof entrySchema>;

/** One institution validated; its problems, by path, when it is not valid. */
export function validateEntry(
  value: unknown,
): { entry: Omit<ImportEntry, 'source'>; problems?: undefined } | { problems: EntryProblem[] } {
  const parsed = entrySchema.safeParse(value);
  if (!parsed.success) return { problems: parsed.error.issues.flatMap(issueProblems) };
  const raw: RawEntry = parsed.data;
  const problems: EntryProblem[] = [];
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
      ...(raw.reportContact ? { reportContact: raw.reportContact } : {}),
    },
  };
}

/** A problem at a path in the JSON form of one institution. */
export interface EntryProblem {
  path: EntryPath;
  message: string;
}

function issueProblems(issue: z.core.$ZodIssue): EntryProblem[] {
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => ({ path: [...issue.path.map(pathKey), key], message: 'unknown field' }));
  return [{ path: issue.path.map(pathKey), message: issue.message }];
}

const pathKey = (k: PropertyKey): string | number => (typeof k === 'number' ? k : String(k));
