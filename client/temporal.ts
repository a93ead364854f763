/** The CLI's connection to Temporal, built from the configuration; an unreachable server is exit 2. */
import type { Client } from '@temporalio/client';
import type { Config } from '../common/config';
import { UnreachableError } from './output';

export async function connect(config: Config): Promise<Client> {
  const { Client, Connection } = await import('@temporalio/client');
  try {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '3s' });
    return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  } catch (err) {
    throw new UnreachableError(`Temporal at ${config.TEMPORAL_ADDRESS}: ${(err as Error).message}`);
  }
}
