/**
 * Status-link keys for the worker processes tests start. Without DURA_LINK_KEY the worker makes its key
 * file in DURA_DATA_DIR, whose default is the project's own data/: a test must never write there.
 */

/** A fixed test key: 32 bytes in base64. */
export const TEST_LINK_KEY = Buffer.alloc(32, 0x5a).toString('base64');

/** `env`, with DURA_LINK_KEY = TEST_LINK_KEY when it sets neither DURA_LINK_KEY nor DURA_DATA_DIR. */
export function withLinkKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.DURA_LINK_KEY || env.DURA_DATA_DIR ? env : { ...env, DURA_LINK_KEY: TEST_LINK_KEY };
}
