import { z } from 'zod';

/**
 * The JSON the accounts API sends, as zod schemas: the server's responses are checked
 * against them at compile time (`satisfies z.input<…>`), and the pages parse what they
 * receive with them. Client components import this file: it imports nothing but zod.
 */
export const Role = z.enum(['learner', 'instructor', 'admin']);
export type Role = z.infer<typeof Role>;

export const AccountView = z.object({ id: z.string(), email: z.string(), name: z.string(), role: Role });
export type AccountView = z.infer<typeof AccountView>;
export const MeResponse = z.object({ account: AccountView.nullable() });
export const UsersResponse = z.object({ users: z.array(AccountView.extend({ createdAt: z.string() })).readonly() });
