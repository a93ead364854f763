/** A count with its noun, as English says it: `1 problem`, `3 problems`, `1.5 business days`. */
let english: Intl.PluralRules | undefined; // made on first use: command modules load this at start-up

export function counted(n: number, one: string, other = `${one}s`): string {
  english ??= new Intl.PluralRules('en-US');
  return `${n} ${english.select(n) === 'one' ? one : other}`;
}
