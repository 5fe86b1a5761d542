import { PostgresAdapter, type DialectAdapter } from 'kysely';

/**
 * Which SQL the database speaks; migrations and stores use it where the dialects
 * differ. Takes any Kysely instance (migrations see `Kysely<unknown>`).
 */
export function dialectOf(db: { getExecutor(): { readonly adapter: DialectAdapter } }): 'sqlite' | 'postgres' {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
