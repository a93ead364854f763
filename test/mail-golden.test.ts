/**
 * Golden mail: every message kind, rendered from fixed inputs through the real view builders (the
 * digest through orderForDigest too), compared byte for byte with what is on file in test/golden/mail:
 * `<case>.txt` holds the subject line, a blank line and the text body, `<case>.html` the HTML body.
 * A change to what recipients get, even a space, fails here.
 *
 * After a deliberate change to what mail says (a template, a view's wording, how dates read), regenerate
 * the files with one command, then read their diff before committing it:
 *
 *   DURA_REFRESH_GOLDEN=1 npx mocha --no-config --require tsx/cjs --exit --timeout 120000 test/mail-golden.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { render, TEMPLATES_DIR } from '../activities/mail/render';
import { cases } from './fixtures/mail-golden-cases';

const GOLDEN_DIR = path.join(__dirname, 'golden', 'mail');
const refresh = process.env.DURA_REFRESH_GOLDEN === '1';

/** What is on file for a case: `Subject: …`, a blank line, the text; and the HTML. */
function files(name: string): { txt: string; html: string } {
  return { txt: path.join(GOLDEN_DIR, `${name}.txt`), html: path.join(GOLDEN_DIR, `${name}.html`) };
}

describe('mail, golden', function () {
  before(() => {
    if (refresh) mkdirSync(GOLDEN_DIR, { recursive: true });
  });

  for (const { name, kind, view } of cases) {
    it(`${name}: subject, text and HTML as on file`, async () => {
      const { subject, text, html } = render(kind, await view());
      const rendered = { txt: `Subject: ${subject}\n\n${text}`, html };
      const file = files(name);
      if (refresh) {
        writeFileSync(file.txt, rendered.txt);
        writeFileSync(file.html, rendered.html);
        return;
      }
      assert.ok(existsSync(file.txt), `${file.txt} is missing: run with DURA_REFRESH_GOLDEN=1 (see the top)`);
      assert.equal(rendered.txt, readFileSync(file.txt, 'utf8'), `${name}.txt`);
      assert.equal(rendered.html, readFileSync(file.html, 'utf8'), `${name}.html`);
    });
  }

  it('covers every template, and has no file without a case', () => {
    const kinds = readdirSync(TEMPLATES_DIR)
      .filter((f) => f.endsWith('.txt') && !f.startsWith('_')) // `_name.txt`: a part several kinds share
      .map((f) => f.slice(0, -'.txt'.length));
    assert.deepEqual([...new Set(cases.map((c) => c.kind))].sort(), kinds.sort());
    const expected = cases.flatMap(({ name }) => [`${name}.html`, `${name}.txt`]).sort();
    // A refresh leaves no file of a case removed since behind.
    if (refresh)
      for (const stale of readdirSync(GOLDEN_DIR).filter((f) => !expected.includes(f)))
        rmSync(path.join(GOLDEN_DIR, stale));
    assert.deepEqual(readdirSync(GOLDEN_DIR).sort(), expected);
  });
});
