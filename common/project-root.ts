/**
 * The folder holding dura's package.json: the same from tsx (sources) and from the compiled code
 * (lib/…), so files beside the sources (mail templates, the default data folder) are found either way,
 * whatever the current directory.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The first folder at or above `from` holding a package.json; throws when there is none. */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
