/**
 * The e-mail address and domain fields of every form a person fills in (a request's flags, file or CSV
 * row, the web form, a registration step's report): read as idn.ts reads them, and refused naming what
 * was typed (`"osp@": not an e-mail address`), so that a refusal among many rows points at its value.
 * Client side only (zod).
 */
import { z } from 'zod';
import { asciiDomain, asciiEmail } from './idn';

export const NOT_AN_ADDRESS = 'not an e-mail address';
export const NOT_A_DOMAIN = 'expected an e-mail domain such as uw.edu';

const validAddress = z.email();
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/** `required` for a field left out (or null), else `wrong`: a request file may hold any JSON. */
const typedText = (wrong: string) =>
  z.string({ error: (issue) => (issue.input == null ? 'required' : wrong) });

/** A field read by `read`, refused with `problem(value)` (null: fine), naming what was typed. */
function field(wrong: string, read: (typed: string) => string, problem: (value: string) => string | null) {
  return typedText(wrong).transform((typed, ctx) => {
    const value = read(typed);
    const why = problem(value);
    if (why === null) return value;
    const shown = typed.trim();
    ctx.addIssue({
      code: 'custom',
      input: typed,
      message: shown ? `${JSON.stringify(shown)}: ${why}` : 'required',
    });
    return z.NEVER;
  });
}

/** An address: trimmed, lower-cased, its domain in ASCII form (idn.ts asciiEmail). */
export const emailField = () =>
  field(NOT_AN_ADDRESS, asciiEmail, (v) => (validAddress.safeParse(v).success ? null : NOT_AN_ADDRESS));

/**
 * A domain such as `uw.edu`: trimmed, lower-cased, in ASCII form (idn.ts asciiDomain). Not a web
 * site's `www.uw.edu`: no one's address is at it, and an agreement under it would list no one (a
 * trial's `www.why.edu` started one); that refusal names the domain meant.
 */
export const domainField = () =>
  field(NOT_A_DOMAIN, asciiDomain, (v) => {
    if (v.startsWith('www.') && DOMAIN.test(v)) return `${NOT_A_WEB_SITE}: type ${v.slice(4)}`;
    return DOMAIN.test(v) ? null : notADomain(v);
  });

/**
 * Why `value` (lower case) is no domain: a web address pasted (`https://www.uzh.ch/`) or an e-mail
 * address typed gets the domain it names, as the web form says it (a trial's import row got only
 * "expected an e-mail domain"); anything else NOT_A_DOMAIN.
 */
export function notADomain(value: string): string {
  const site = /^(?:https?:\/\/)?(?:www\.)?([a-z0-9.-]+\.[a-z]{2,})(?:[/:?#].*)?$/.exec(value)?.[1];
  if (site && site !== value && DOMAIN.test(site)) return `${NOT_A_WEB_SITE}: type ${site}`;
  const after = /^[^@\s]+@([a-z0-9.-]+\.[a-z]{2,})$/.exec(value)?.[1];
  if (after && DOMAIN.test(after)) return `${NOT_A_DOMAIN}, the part after the @: type ${after}`;
  return NOT_A_DOMAIN;
}

/** Why `www.uw.edu` is refused as an e-mail domain (before `: type uw.edu`). */
export const NOT_A_WEB_SITE = "an e-mail domain, not the web site's";

/** A refusal without the value it quotes (`"osp@": not an e-mail address` → `not an e-mail address`). */
export const withoutValue = (message: string): string => message.replace(/^"(?:[^"\\]|\\.)*": /, '');
