import { type QueryRunner, type TableColumnOptions } from 'typeorm';

/** Column builders for migrations, so one migration serves SQLite and PostgreSQL. */
export function columnsFor(queryRunner: QueryRunner) {
  const postgres = queryRunner.connection.driver.options.type === 'postgres';
  return {
    id: (name = 'id'): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: true }),
    serial: (name = 'id'): TableColumnOptions => ({
      name,
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    }),
    varchar: (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable }),
    text: (name: string, nullable = false, defaultValue?: string): TableColumnOptions => ({
      name,
      type: 'text',
      isNullable: nullable,
      default: defaultValue === undefined ? undefined : `'${defaultValue}'`,
    }),
    bool: (name: string, defaultValue = false): TableColumnOptions => ({
      name,
      type: 'boolean',
      default: postgres ? String(defaultValue) : defaultValue ? 1 : 0,
    }),
    int: (name: string, defaultValue = 0): TableColumnOptions => ({ name, type: 'integer', default: defaultValue }),
    bigint: (name: string, defaultValue = 0): TableColumnOptions => ({ name, type: 'bigint', default: defaultValue }),
    time: (name: string, nullable = false): TableColumnOptions => ({ name, type: postgres ? 'timestamptz' : 'datetime', isNullable: nullable }),
  };
}
