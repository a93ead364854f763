/**
 * Internationalized domain names and addresses, as people type them (`universität-zürich.ch`,
 * `anna@universität-zürich.ch`), in the ASCII form mail servers, the registry and Temporal ids use
 * (`xn--universitt-zrich-3nb94b.ch`), by Node's own WHATWG URL rules (`url.domainToASCII`).
 * Client and activity side only: workflow code never sees a domain that has not been through here.
 */
import { domainToASCII } from 'node:url';
import { normalizeDomain } from './agreement';

/**
 * `text` trimmed, lower-cased, without a leading `@` or trailing dot, in ASCII (punycode) form; '' when
 * it cannot be a domain name (the caller's own check then names the field).
 */
export function asciiDomain(text: string): string {
  const domain = normalizeDomain(text);
  // ASCII names skip the conversion: it would only lower-case them again.
  return /^[\x20-\x7e]*$/.test(domain) ? domain : domainToASCII(domain);
}

/**
 * An address trimmed and lower-cased, its domain in ASCII form (`anna@xn--…`); the local part is kept as
 * typed. Text without an `@` comes back trimmed and lower-cased for the caller's check to refuse.
 */
export function asciiEmail(text: string): string {
  const address = text.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at < 1) return address;
  const domain = asciiDomain(address.slice(at + 1));
  return domain ? `${address.slice(0, at)}@${domain}` : address;
}
