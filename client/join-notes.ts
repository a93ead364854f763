// What a joining request names that its agreement keeps otherwise (`dura request`, `dura import` and
// its dry run say it alike): no SDK here, the dry run needs none.
import { sameEmail, type AgreementRequest, type Person } from '../common/agreement';
import { compareNames } from '../common/collation';
import { newYorkDate, receivedInWords } from '../common/when';

/**
 * What a joining request names that its agreement keeps otherwise: another signing official (with the
 * `set-official --add` command to paste, for `target`), another institution name, or (`receivedAt`, the
 * agreement's own receipt, when known) an earlier New York day of receipt, which does not move the
 * agreement's deadlines (design.md, "Business days": they run from the agreement's receipt). `which`:
 * how the notes name the agreement (`uw.edu-1`, or `the agreement line 2 starts` in an import's dry run).
 */
export function joinNotes(
  request: AgreementRequest,
  agreement: {
    which: string;
    target: string;
    institutionName: string;
    officials: readonly Person[];
    /** Its requesters, when known: one named otherwise (a corrected spelling) is said. */
    requesters?: readonly Person[];
    receivedAt?: string;
  },
): string[] {
  const notes: string[] = [];
  const named = request.signingOfficial;
  const { which, officials } = agreement;
  notes.push(...renamedNotes(request, agreement));
  if (namesAnotherOfficial(request, officials)) {
    const add = [
      `dura set-official ${agreement.target} --add --name ${JSON.stringify(named.name)} --email ${named.email}`,
      ...(named.title ? [`--title ${JSON.stringify(named.title)}`] : []),
    ].join(' ');
    // The same name at another address, the agreement's one official: most likely a corrected typo,
    // which --add would keep getting every reminder (a trial's tom@tufts.edi beside tom@tufts.edu).
    const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
    const corrected = officials.length === 1 && same(officials[0]!.name, named.name);
    const replace = add.replace(' --add', '');
    notes.push(
      `this request names ${named.email} as signing official; ${which} keeps ` +
        `${officials.map((o) => o.email).join(', ')} ` +
        (corrected
          ? `(if that address was mistyped, put this one in its place: ${replace}; to add them beside it: ${add})`
          : `(to add them: ${add})`),
    );
  }
  if (namesAnotherInstitution(request, agreement.institutionName))
    notes.push(
      `this request names the institution ${JSON.stringify(request.institution.name)}; ` +
        `${which} keeps ${JSON.stringify(agreement.institutionName)}`,
    );
  const kept = agreement.receivedAt;
  if (kept && newYorkDate(request.receivedAt) < newYorkDate(kept))
    notes.push(
      `this request was received ${receivedInWords(request.receivedAt)}; ${which} keeps its own receipt, ` +
        `${receivedInWords(kept)}, and its deadlines run from that`,
    );
  return notes;
}

/** The request names a signing official the agreement does not have (any case of the address). */
export function namesAnotherOfficial(request: AgreementRequest, officials: readonly Person[]): boolean {
  return !officials.some((o) => sameEmail(o.email, request.signingOfficial.email));
}

/** The request names the institution otherwise than the agreement keeps it (case and spacing aside). */
export function namesAnotherInstitution(request: AgreementRequest, kept: string): boolean {
  // Accents and case aside, as a search compares names (a trial's "Universite de Montreal" was told of
  // "Université de Montréal" as another name).
  return compareNames(plain(request.institution.name), plain(kept)) !== 0;
}

/**
 * The request names one of the agreement's people (by address) otherwise than it keeps them (spaces
 * aside; a difference of case only is said as such): a corrected spelling the agreement does not take
 * by itself (a trial's re-import of "Łukasz Nowak" in UTF-8 over "?ukasz Nowak" said nothing). With
 * the command that corrects it: for an official of several, `set-official --add`, which corrects one
 * and keeps the others.
 */
function renamedNotes(
  request: AgreementRequest,
  agreement: { which: string; target: string; officials: readonly Person[]; requesters?: readonly Person[] },
): string[] {
  const differs = (a: string, b: string) => plain(a) !== plain(b);
  // A file in capitals ("ZOFIA GÓRSKA") is no correction: said, so the command is not pasted blindly.
  const caseOnly = (a: string, b: string) =>
    plain(a).toLocaleLowerCase() === plain(b).toLocaleLowerCase() ? ', which differs only in case' : '';
  const notes: string[] = [];
  const { which, target, officials } = agreement;
  const official = officials.find((o) => sameEmail(o.email, request.signingOfficial.email));
  if (official && differs(official.name, request.signingOfficial.name)) {
    // With --add when there are several: without it, set-official would make this one the only one.
    const add = officials.length > 1 ? ' --add' : '';
    const fix = ` (to take this name: dura set-official ${target}${add} --name ${JSON.stringify(request.signingOfficial.name)} --email ${official.email})`;
    notes.push(
      `this request names the signing official ${official.email} ${JSON.stringify(request.signingOfficial.name)}; ` +
        `${which} keeps ${JSON.stringify(official.name)}${caseOnly(official.name, request.signingOfficial.name)}${fix}`,
    );
  }
  const requester = agreement.requesters?.find((r) => sameEmail(r.email, request.requester.email));
  if (requester && differs(requester.name, request.requester.name))
    notes.push(
      `this request names the requester ${requester.email} ${JSON.stringify(request.requester.name)}; ${which} ` +
        `keeps ${JSON.stringify(requester.name)}${caseOnly(requester.name, request.requester.name)} ` +
        `(to take this name: dura add-requester ${target} ` +
        `--name ${JSON.stringify(request.requester.name)} --email ${requester.email})`,
    );
  return notes;
}

/** A name as compared: trimmed, its runs of spaces one space. */
function plain(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}
