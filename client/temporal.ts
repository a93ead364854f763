/** The CLI's connection to Temporal, built from the configuration; an unreachable server is exit 2. */
import type { Client } from '@temporalio/client';
import type { Config } from '../common/config';
import { UnreachableError } from './output';

export async function connect(config: Config): Promise<Client> {
  const { Client, Connection } = await import('@temporalio/client');
  const { temporalConnectionOptions } = await import('../common/temporal-connection');
  const options = temporalConnectionOptions(config);
  try {
    const connection = await Connection.connect({ ...options, connectTimeout: '3s' });
    const { dataConverterFor } = await import('../common/codec');
    return new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter: dataConverterFor(config),
    });
  } catch (err) {
    throw new UnreachableError(`Temporal at ${config.TEMPORAL_ADDRESS}: ${(err as Error).message}`);
  }
}

/** The configuration from the environment and a client connected with it (commands that talk to Temporal). */
export async function session(): Promise<{ config: Config; client: Client }> {
  const { loadConfig } = await import('../common/config');
  const config = loadConfig();
  return { config, client: await connect(config) };
}
