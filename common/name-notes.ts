/**
 * Names with a letter lost to an encoding: a spreadsheet saved as Windows-1252 (Excel's "CSV") writes
 * `?` for each letter that code page lacks (Ł, ő, Ş, Chinese and Cyrillic names), and a file read with
 * the wrong encoding shows U+FFFD. A trial's import of "?ukasz Nowak" was accepted without a word and
 * mailed as such. The name is kept as typed (a `?` may be meant), with a warning naming the field.
 */
import type { AgreementRequest } from './agreement';

/** A `?` or U+FFFD touching a letter: where a letter most likely was. */
const LOST = /[\p{L}][?\uFFFD]|[?\uFFFD][\p{L}]/u;

/**
 * One warning per name of `request` with a letter likely lost (`<field>: …`, the field as the request's
 * path, e.g. `signingOfficial.name`, for the flag or column to be named by the caller); none otherwise.
 */
export function lostLetterNotes(
  request: Pick<AgreementRequest, 'institution' | 'requester' | 'signingOfficial'>,
): string[] {
  const the = '"<the name>"';
  return (
    [
      ['institution.name', request.institution.name, `dura rename-institution <agreement> --name ${the}`],
      [
        'requester.name',
        request.requester.name,
        `dura add-requester <agreement> --name ${the} --email ${request.requester.email}`,
      ],
      [
        'signingOfficial.name',
        request.signingOfficial.name,
        `dura set-official <agreement> --add --name ${the} --email ${request.signingOfficial.email}`,
      ],
    ] as const
  ).flatMap(([field, name, fix]) => {
    const note = lostLetterNote(field, name);
    return note ? [`${note}; to correct it: ${fix}`] : [];
  });
}

/**
 * `<field>: "<name>" has a "?" where a letter … may have been lost (…): accepted as typed` when `name`
 * has a `?` or U+FFFD touching a letter (a name pasted from a garbled file); null otherwise.
 */
export function lostLetterNote(field: string, name: string): string | null {
  if (!LOST.test(name)) return null;
  return (
    `${field}: ${JSON.stringify(name)} has a "?" where a letter or sign may have been lost (a ` +
    `spreadsheet saved in an encoding without it, such as Windows-1252 for Ł): accepted as typed`
  );
}
