/** Where the repository is, whether this runs from bench/lib (tsx) or lib/bench/lib (compiled). */
import * as fs from 'node:fs';
import * as path from 'node:path';

const up2 = path.join(__dirname, '..', '..');
export const repoRoot = fs.existsSync(path.join(up2, 'package.json')) ? up2 : path.join(up2, '..');
