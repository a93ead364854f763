/**
 * Why a file could not be read, in words a person knows: Node's own text for the system error (from its
 * message, `ENOENT: no such file or directory, open 'x'`) with the code after it, e.g.
 * `no such file or directory (ENOENT)`, `permission denied (EACCES)`. Any other error: its first line.
 */
export function fileProblem(err: unknown): string {
  const { code, message } = err as NodeJS.ErrnoException;
  const first = String(message ?? err).split('\n')[0]!;
  if (!code) return first;
  const words = first.startsWith(`${code}: `) ? first.slice(code.length + 2).split(',')[0] : '';
  return words ? `${words} (${code})` : code;
}
