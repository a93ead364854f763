/**
 * `renameInstitution`: the institution's name on an agreement in process corrected (`dura
 * rename-institution`). A name mistyped in a request, or garbled by a spreadsheet's encoding, went into
 * every message to the signing official and the requesters and onto the status page, and nothing could
 * correct it. The Registered Institutions list keeps its own name (`dura institutions`).
 * No patch: only a history that took this update runs it.
 */
import { setHandler } from '@temporalio/workflow';
import type { Agreement } from './agreement-state';
import * as guard from './guards';
import * as m from './messages';
import { requireOpen } from './stage-guards';

export function registerInstitutionHandlers(agreement: Agreement): void {
  setHandler(
    m.renameInstitutionUpdate,
    (input) => {
      const name = guard.text(input?.name, 'name', 200);
      const s = agreement.status;
      const was = s.institution.name;
      // A new object, not the field changed in place: the records' write compares what it wrote last.
      s.institution = { ...s.institution, name };
      agreement.log('institution-renamed', `${was} → ${name}`); // wakes the loop, which writes the records
      return agreement.reply();
    },
    {
      validator: (input) => {
        requireOpen(agreement, 'rename-institution');
        const name = guard.text(input?.name, 'name', 200);
        if (name === agreement.status.institution.name)
          throw new Error(`cannot rename-institution: it is named ${name} already`);
      },
    },
  );
}
