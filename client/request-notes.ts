/**
 * What the person who typed `dura request` should know beyond its outcome, read from the agreement
 * after it answered (a trial found both only in the agreement's history):
 * - a request that joins an agreement but names a signing official the agreement does not have: the
 *   agreement keeps its officials (the name is recorded, `official-named`), and `set-official --add` adds;
 * - a request that joins an agreement under another institution name: the agreement keeps its name (a
 *   spreadsheet's "Univ. of Washington" beside "University of Washington"), said so nothing is lost unseen;
 * - a request that joins an agreement not yet with its signing official and adds a tier to it (the
 *   package will ask for that tier too), by the agreement's tiers before (`tiersBefore`, from coverage);
 * - a request entered after its initiation deadline, on manual initiation: it is overdue from the start,
 *   and the access team is told at once (design.md, "Stages": initiation within two business days).
 */
import type { Client } from '@temporalio/client';
import { officialsOf, type AgreementRequest, type JoinResult, type Tier } from '../common/agreement';
import type { Config } from '../common/config';
import { tierNames } from '../common/coverage';
import { inWords } from '../common/when';
import { fetchStatus } from './agreement-handle';
import { joinNotes } from './join-notes';

/** The notes, one a line, for `dura: warning: …`; none when nothing is worth saying (no status read). */
export async function requestNotes(
  client: Client,
  config: Config,
  request: AgreementRequest,
  result: JoinResult,
  tiersBefore?: readonly Tier[],
): Promise<string[]> {
  const joined = result.outcome === 'joined' || result.outcome === 'already-requested';
  // A deadline two business days after receipt cannot have passed for a request received today.
  const started = result.outcome === 'started' && Date.parse(request.receivedAt) < Date.now() - 24 * 3600_000;
  if (!joined && !started) return [];
  const { status } = await fetchStatus(client, config, result.agreementId);
  const notes: string[] = joined
    ? joinNotes(request, {
        which: status.agreementId,
        target: status.agreementId,
        institutionName: status.institution.name,
        officials: officialsOf(status),
        requesters: status.requesters,
        receivedAt: status.receivedAt,
      })
    : [];
  const added = request.tiers.filter(
    (t) => status.tiers.includes(t) && tiersBefore && !tiersBefore.includes(t),
  );
  if (joined && added.length)
    notes.push(
      `this request adds ${tierNames(added)}: ${status.agreementId} is now for ${tierNames(status.tiers)}`,
    );
  const due = status.initiationDueBy;
  // On auto initiation the package is on its way, and a late start is not escalated (follow-up.ts).
  const manual = status.policy.initiation === 'manual';
  if (started && manual && due && !status.initiatedAt && Date.parse(due) <= Date.now())
    notes.push(
      `initiation was due by ${inWords(due)}, before this request was entered: ${status.agreementId} is ` +
        `overdue from the start and the access team is told (dura initiate ${status.agreementId})`,
    );
  return notes;
}
