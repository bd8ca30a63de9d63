import { Column, type ColumnOptions, type ValueTransformer } from 'typeorm';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Entity decorators run when their module is first imported, so the dialect is read from the
 * environment then: DATABASE_URL must be set (or left to its SQLite default) before entities load.
 */
export function currentDialect(): Dialect {
  return /^postgres(ql)?:/.test(process.env.DATABASE_URL ?? '') ? 'postgres' : 'sqlite';
}

const asNumber: ValueTransformer = {
  to: (value?: number | null) => value,
  from: (value?: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

/** A UTC instant: `timestamptz` on PostgreSQL, `datetime` (UTC text) on SQLite. */
export function DateTimeColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ ...options, type: currentDialect() === 'postgres' ? 'timestamptz' : 'datetime' });
}

/** JSON kept as text on both dialects, so queries never depend on a JSON operator set. */
export function JsonColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ ...options, type: 'simple-json' });
}

/** A 64-bit count read back as a JS number (pg returns bigint as a string). */
export function BigIntColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ ...options, type: 'bigint', transformer: asNumber });
}
