/**
 * A domain the Registered Institutions list must not take: listed, it would cover everyone at it (a
 * trial put gmail.com under uw.edu, and ac.uk as an "institution", and `dura check` then called any
 * gmail.com or ac.uk address covered). A public suffix, by the Public Suffix List (tldts: `edu`, `ac.uk`,
 * `co.uk`), and a personal e-mail provider's domain: the `email-providers` package's whole list, the one
 * requests are checked against (its common list of 355 lacks googlemail.com and hotmail.co.uk, a second
 * trial listed both), academic names such as `nus.edu.sg` aside, as there.
 */
import providers from 'email-providers/all.json';
import { parse } from 'tldts';
import { registrableDomain } from './coverage';

const PERSONAL = new Set<string>(providers);
const ACADEMIC = /\.(edu|ac|edu\.[a-z]{2}|ac\.[a-z]{2})$/;

/**
 * Whether `domain` (lower case, ASCII), or the registrable domain it is under, is a personal e-mail
 * provider's: on the package's whole list and not academic. Requests ask it too (client/personal-mail.ts).
 */
export function isProviderDomain(domain: string): boolean {
  const own = registrableDomain(domain) ?? domain;
  return PERSONAL.has(own) && !ACADEMIC.test(own);
}

/** Why `domain` (lower case, ASCII) cannot be listed, or null. */
export function unlistableDomain(domain: string): string | null {
  const parsed = parse(domain);
  if (parsed.isIcann && parsed.domain === null)
    return `${domain} is a public suffix, under which many institutions have their domains: list each institution's own`;
  if (isProviderDomain(domain))
    return `${domain} is a personal e-mail provider's: listed, it would cover everyone who writes from it`;
  return null;
}
