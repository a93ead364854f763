/**
 * PEM files checked by parsing them with node:crypto (X509Certificate, createPrivateKey), not by
 * looking for a BEGIN line: a truncated or corrupted certificate is caught at start, naming its
 * variable, instead of failing the TLS handshake later.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';

/**
 * Why `content` is not a usable PEM certificate (or CA bundle: every certificate in it is parsed), or
 * undefined when it is.
 */
export function certificateProblem(content: Buffer): string | undefined {
  const text = content.toString('latin1');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks) return 'is not a PEM certificate';
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return `is not a readable PEM certificate (${(err as Error).message})`;
    }
  }
  return undefined;
}

/** Why `content` is not a usable unencrypted PEM private key, or undefined when it is. */
export function privateKeyProblem(content: Buffer): string | undefined {
  try {
    createPrivateKey({ key: content, format: 'pem' });
    return undefined;
  } catch (err) {
    const message = (err as Error).message;
    if (/passphrase/i.test(message)) return 'is an encrypted private key: give the key without a passphrase';
    return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(content.toString('latin1'))
      ? `is not a readable PEM private key (${message})`
      : 'is not a PEM private key';
  }
}
