/**
 * `dura web`'s own settings (only the web server reads them; the link settings both the worker and the
 * web read are in common/config.ts). Validated like every other setting: one line per bad variable,
 * thrown as a ConfigError (pattern of activities/mail/settings.ts).
 *
 * - `DURA_WEB_HOST`: the IP address to listen on (default 127.0.0.1; 0.0.0.0 in a container).
 * - `DURA_WEB_PORT`: the port, 0–65535 (default 8080; 0 = any free port).
 * - `DURA_WEB_RATE_LIMIT`: form posts (/check and /request together) per minute per client IP
 *   address, 1–100000 (default 20).
 * - `DURA_WEB_TRUST_PROXY`: the reverse proxies in front whose X-Forwarded-For names the client (for
 *   the rate limit): a number of hops (1–10) or a comma list of their IPs or CIDR ranges. Unset: none
 *   (the peer is the client; behind a proxy unset, every visitor would share the proxy's limit).
 * - `DURA_WORKBENCH_SECRET`: the secret the Researcher Workbench signs its posts to `/api/registration`
 *   with (web/workbench-signature.ts): at least 32 characters on one line. Unset: that endpoint is off (404).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { wholeNumberIn } from '../common/config-rules';
import { readSettings, wholeNumber } from '../common/config';

export interface WebConfig {
  host: string;
  port: number;
  /** Form posts per minute per client IP address. */
  rateLimit: number;
  /** Fastify's `trustProxy`: hops, or the proxies' addresses/CIDR ranges; false: none. */
  trustProxy: number | string[] | false;
  /** The Workbench's shared secret for `POST /api/registration`; absent: the endpoint answers 404. */
  workbenchSecret?: string;
}

/** `10.0.0.1` or `10.0.0.0/8` (IPv4 or IPv6, a prefix within the address's bits). */
function isAddressOrRange(v: string): boolean {
  const [address = '', prefix, extra] = v.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return prefix === undefined || wholeNumberIn(prefix, 0, family === 4 ? 32 : 128) !== undefined;
}

const trustProxy = z.string().transform((v, ctx): number | string[] => {
  const hops = wholeNumberIn(v, 1, 10);
  if (hops !== undefined) return hops;
  const items = v.split(',').map((item) => item.trim());
  if (items.every(isAddressOrRange)) return items;
  ctx.addIssue({
    code: 'custom',
    message: 'expected a number of proxies (1-10) or their IPs or CIDR ranges, e.g. 10.0.0.0/8,127.0.0.1',
  });
  return z.NEVER;
});

const schema = z.object({
  // An IP, not a host name: what to bind is never left to a resolver.
  DURA_WEB_HOST: z
    .string()
    .refine((v) => isIP(v) !== 0, 'expected an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  DURA_WEB_PORT: wholeNumber(0, 65535).default(8080),
  DURA_WEB_RATE_LIMIT: wholeNumber(1, 100_000).default(20),
  DURA_WEB_TRUST_PROXY: trustProxy.optional(),
  // Not echoed in a problem (readSettings: SECRET in the name).
  DURA_WORKBENCH_SECRET: z
    .string()
    .refine(
      (v) => v.trim().length >= 32 && /^[\x21-\x7e]+$/.test(v.trim()),
      'expected at least 32 characters without spaces (e.g. from `openssl rand -hex 32`)',
    )
    .optional(),
});

/** The variables `webConfig` reads. */
export const WEB_CONFIG_VARIABLES = Object.keys(schema.shape);

/** Parses the web settings; throws ConfigError with one line per bad variable. */
export function webConfig(env: NodeJS.ProcessEnv = process.env): WebConfig {
  const v = readSettings(schema, env);
  return {
    host: v.DURA_WEB_HOST,
    port: v.DURA_WEB_PORT,
    rateLimit: v.DURA_WEB_RATE_LIMIT,
    trustProxy: v.DURA_WEB_TRUST_PROXY ?? false,
    ...(v.DURA_WORKBENCH_SECRET ? { workbenchSecret: v.DURA_WORKBENCH_SECRET.trim() } : {}),
  };
}
