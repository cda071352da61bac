/** Which integrity rule a database error broke, on either dialect, or null when it is something else. */
export function constraintKind(err: unknown): 'unique' | 'foreign_key' | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') return 'unique';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') return 'foreign_key';
  return null;
}
