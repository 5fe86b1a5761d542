import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';

/**
 * Column definitions the migrations share. Migrations that ran must make the same
 * schema forever: change what these make only through a new migration.
 */

/** The id of a row of `table`; removing that row removes this one. */
export const belongsTo = (table: string) => (c: ColumnDefinitionBuilder) => c.notNull().references(`${table}.id`).onDelete('cascade');

/** A row's own text id, then the id of the `table` row it belongs to, in column `column`. */
export const idOwnedBy =
  (column: string, table: string) =>
  <T extends string>(builder: CreateTableBuilder<T>) =>
    builder.addColumn('id', 'text', (c) => c.primaryKey()).addColumn(column, 'text', belongsTo(table));
