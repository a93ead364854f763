/**
 * A domain the Registered Institutions list must not take: listed, it would cover everyone at it (a
 * trial put gmail.com under uw.edu, and ac.uk as an "institution", and `dura check` then called any
 * gmail.com or ac.uk address covered). A public suffix, by the Public Suffix List (tldts: `edu`, `ac.uk`,
 * `co.uk`), and a major personal e-mail provider's domain (the `email-providers` package's common list
 * of 355, not its whole list of 8,760 that requests are checked against: a listing is the access team's
 * word, and the long list's odd entries must stay listable; `nus.edu.sg`-like academic names pass).
 */
import providers from 'email-providers/common.json';
import { parse } from 'tldts';

const PERSONAL = new Set<string>(providers);
const ACADEMIC = /\.(edu|ac|edu\.[a-z]{2}|ac\.[a-z]{2})$/;

/** Why `domain` (lower case, ASCII) cannot be listed, or null. */
export function unlistableDomain(domain: string): string | null {
  const parsed = parse(domain);
  if (parsed.isIcann && parsed.domain === null)
    return `${domain} is a public suffix, under which many institutions have their domains: list each institution's own`;
  const own = parsed.domain ?? domain;
  if (PERSONAL.has(own) && !ACADEMIC.test(own))
    return `${domain} is a personal e-mail provider's: listed, it would cover everyone who writes from it`;
  return null;
}
