/**
 * Registration progress in bulk (`dura registration import <file.csv>`): one row per requester and step,
 * as an admin export or the access team's spreadsheet gives it. Read with csv.ts (csv-parse: comma, tab
 * or semicolon; any line ending; the file's text decoded by text-file.ts), each row checked by
 * registration-input.ts, every problem by line and by the column's name as the header has it.
 *
 * Columns, in any order and case, by any of their names (other columns are ignored, so a whole export
 * can be imported as it is):
 *   email         email, e-mail, email address, requester email, researcher email, user email, contact email
 *   step          step, module, access module, requirement, task, step name
 *   completed_on  completed_on, completed, completed at, completion date, date completed, date, on
 */
import { columnKey, readTable, type CsvProblem } from './csv';
import { checkStepInput, type StepInput, type StepInputField } from './registration-input';
import type { DigitsOrder } from './when';

/** The columns' names (csv.ts's columnKey of the header, then letters and digits only). */
const COLUMN_NAMES: Record<StepInputField, string[]> = {
  email: ['email', 'emailaddress', 'requesteremail', 'researcheremail', 'useremail', 'contactemail'],
  step: ['step', 'module', 'accessmodule', 'requirement', 'task', 'stepname', 'modulename'],
  completedOn: [
    'completedon',
    'completed',
    'completedat',
    'completiondate',
    'datecompleted',
    'completeddate',
    'date',
    'on',
  ],
};
/** What the header help and problems call each column. */
const COLUMN_WORD: Record<StepInputField, string> = {
  email: 'email',
  step: 'step',
  completedOn: 'completed_on',
};

const nameKey = (name: string) => columnKey(name).replace(/[^a-z0-9]/g, '');

export interface CsvStep extends StepInput {
  line: number;
}

export interface RegistrationCsv {
  rows: CsvStep[];
  /** Every problem, in file order: `line 4, step: unknown step "gold": …` (csv.ts formatProblem). */
  problems: CsvProblem[];
  /** The header, by field: the column's name as typed (for a problem found later, e.g. an unknown address). */
  columns: Record<StepInputField, string>;
}

/**
 * The file's rows (text as text-file.ts decodes it), or its problems. `today`: the New York date a
 * completion may not be after (default today's); `digits`: how dates in digits (3/4/2026) are read, as
 * the person said (`--dates`), else refused with each reading. A file with any problem is refused whole.
 */
export function parseRegistrationCsv(text: string, today?: string, digits?: DigitsOrder): RegistrationCsv {
  const table = readTable(text);
  const columns = { ...COLUMN_WORD };
  const header = table.header;
  if (!header) {
    const problems = table.problems.length
      ? table.problems
      : [{ line: 1, field: 'header', message: 'the file is empty' }];
    return { rows: [], problems, columns };
  }
  const index = {} as Record<StepInputField, number>;
  const headerProblems: string[] = [];
  for (const field of Object.keys(COLUMN_NAMES) as StepInputField[]) {
    const found = header.names.flatMap((n, i) => (COLUMN_NAMES[field].includes(nameKey(n)) ? [i] : []));
    if (found.length === 1) {
      index[field] = found[0]!;
      columns[field] = header.names[found[0]!]!;
    } else if (found.length > 1)
      headerProblems.push(
        `${found.map((i) => `"${header.names[i]}"`).join(' and ')} are both ${COLUMN_WORD[field]}`,
      );
    else headerProblems.push(`no ${COLUMN_WORD[field]} column`);
  }
  if (headerProblems.length) {
    const expected = 'expected the columns email,step,completed_on (other columns are ignored)';
    return {
      rows: [],
      problems: [
        { line: header.line, field: 'header', message: `${headerProblems.join('; ')}: ${expected}` },
        ...table.problems,
      ],
      columns,
    };
  }

  const rows: CsvStep[] = [];
  const problems: CsvProblem[] = [...table.problems];
  for (const { line, cells } of table.rows) {
    const checked = checkStepInput(
      { email: cells[index.email], step: cells[index.step], completedOn: cells[index.completedOn] },
      { today, digits },
    );
    if ('input' in checked) rows.push({ line, ...checked.input });
    else
      for (const p of checked.problems.sort((a, b) => index[a.field] - index[b.field]))
        problems.push({ line, field: columns[p.field], message: p.message });
  }
  problems.push(...contradictions(rows, columns.completedOn));
  problems.sort((a, b) => a.line - b.line);
  return { rows, problems, columns };
}

/**
 * Rows of one file that give the same requester's step two dates (any case of the address, any name
 * of the step): the file contradicts itself, and applying it in order would record the last one after
 * correcting to the other (a trial saw the date flip back and forth). The same date twice is no problem.
 */
function contradictions(rows: readonly CsvStep[], column: string): CsvProblem[] {
  const first = new Map<string, CsvStep>();
  const problems: CsvProblem[] = [];
  for (const row of rows) {
    const key = `${row.email.toLowerCase()} ${row.step}`;
    const earlier = first.get(key);
    if (!earlier) first.set(key, row);
    else if (earlier.completedOn !== row.completedOn)
      problems.push({
        line: row.line,
        field: column,
        message:
          `${row.completedOn} for ${row.email}'s ${row.step}, which line ${earlier.line} gives ` +
          `${earlier.completedOn}: keep the right one`,
      });
  }
  return problems;
}
