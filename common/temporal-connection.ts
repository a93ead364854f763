/**
 * How the worker and the CLI reach Temporal, from the TEMPORAL_* variables: plain on a laptop; TLS with
 * the server's CA and an optional name override; mTLS with a client certificate and key; or an API key
 * (Temporal Cloud), which implies TLS. Files are read here, once, so that a bad path is a clear error at
 * start naming its variable, not a handshake failure later.
 */
import * as fs from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { ConfigError, type Config } from './config';
import { fileProblem } from './file-problem';
import { certificateProblem, privateKeyProblem } from './pem';

type PemCheck = (content: Buffer) => string | undefined;

export interface TemporalConnectionOptions {
  address: string;
  /** false: plaintext. */
  tls: TLSConfig | false;
  apiKey?: string;
}

type TlsVariables = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS_CERT'
  | 'TEMPORAL_TLS_KEY'
  | 'TEMPORAL_TLS_CA'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

export function temporalConnectionOptions(config: TlsVariables): TemporalConnectionOptions {
  const problems: string[] = [];
  const file = (variable: keyof TlsVariables): Buffer | undefined => {
    const where = config[variable];
    if (!where) return undefined;
    try {
      return fs.readFileSync(where);
    } catch (err) {
      problems.push(`${variable}: cannot read ${where}: ${fileProblem(err)}`);
      return undefined;
    }
  };
  const crt = file('TEMPORAL_TLS_CERT');
  const key = file('TEMPORAL_TLS_KEY');
  const ca = file('TEMPORAL_TLS_CA');
  const check = (variable: keyof TlsVariables, content: Buffer | undefined, problem: PemCheck) => {
    const why = content && problem(content);
    if (why) problems.push(`${variable}: ${config[variable]} ${why}`);
  };
  check('TEMPORAL_TLS_CERT', crt, certificateProblem);
  check('TEMPORAL_TLS_CA', ca, certificateProblem);
  check('TEMPORAL_TLS_KEY', key, privateKeyProblem);
  if (problems.length) throw new ConfigError(problems);

  const wantsTls = Boolean(crt || ca || config.TEMPORAL_TLS_SERVER_NAME || config.TEMPORAL_API_KEY);
  const tls: TLSConfig | false = wantsTls
    ? {
        ...(config.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : {}),
        ...(ca ? { serverRootCACertificate: ca } : {}),
        ...(crt && key ? { clientCertPair: { crt, key } } : {}),
      }
    : false;
  return {
    address: config.TEMPORAL_ADDRESS,
    tls,
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  };
}
