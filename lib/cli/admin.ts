import { parseArgs } from 'node:util';
import { AccountSessions } from '../auth/account-sessions.ts';
import { Accounts, EmailTakenError, Role } from '../auth/accounts.ts';
import { describeIssues } from '../server/http.ts';
import { DatabaseConfigError, databaseTarget, MigrationError, openDatabase, type Db } from '../db/index.ts';
import { z } from 'zod';

const usage = `usage: unboxed admin <command>

  create --email EMAIL [--name NAME]   create an admin account; the password is read
                                       from stdin when piped, otherwise asked for twice
  role --email EMAIL --role ROLE       set an account's role: learner, instructor or admin
  users                                list accounts (email, role, name, created)
  revoke --email EMAIL                 sign an account out everywhere

Uses DATABASE_URL when set, otherwise the SQLite database in the data folder.`;

/** `unboxed admin …`: accounts from the operator's shell; returns the exit code. */
export async function runAdminCli(argv: readonly string[], dataDir: string, databaseUrl: string | undefined): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || !['create', 'role', 'users', 'revoke'].includes(command)) {
    console.error(command ? `unknown admin command '${command}'\n\n${usage}` : usage);
    return 2;
  }
  let values: { email?: string; name?: string; role?: string };
  try {
    ({ values } = parseArgs({ args: [...rest], options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (command !== 'users' && !values.email) {
    console.error(`unboxed admin ${command} needs --email EMAIL\n\n${usage}`);
    return 2;
  }
  let db: Db;
  try {
    db = await openDatabase(databaseTarget(databaseUrl, dataDir));
  } catch (error) {
    if (!(error instanceof DatabaseConfigError || error instanceof MigrationError)) throw error;
    console.error(`error: ${error.message}`);
    return 1;
  }
  try {
    return await run(db, command, values);
  } catch (error) {
    if (error instanceof z.ZodError) console.error(`error: ${describeIssues(error)}`);
    else if (error instanceof EmailTakenError) console.error(`error: ${error.message}. Fix: unboxed admin role --email ${values.email} --role admin`);
    else throw error;
    return 1;
  } finally {
    await db.destroy();
  }
}

async function run(db: Db, command: string, values: { email?: string; name?: string; role?: string }): Promise<number> {
  const accounts = new Accounts(db);
  switch (command) {
    case 'create': {
      const email = values.email!;
      const password = await readPassword(`Password for ${email}: `);
      const account = await accounts.create({ email, name: values.name ?? email.split('@')[0]!, password, role: 'admin' });
      console.log(`created admin ${account.email}; sign in at /signin`);
      return 0;
    }
    case 'role': {
      const role = Role.safeParse(values.role);
      if (!role.success) {
        console.error(`error: --role must be learner, instructor or admin, not '${values.role ?? ''}'`);
        return 2;
      }
      const account = await accounts.byEmail(values.email!);
      if (!account) return noAccount(values.email!);
      await accounts.setRole(account.id, role.data);
      console.log(`${account.email} is now ${role.data === 'learner' ? 'a learner' : `an ${role.data}`}`);
      return 0;
    }
    case 'users':
      for (const a of await accounts.list()) console.log([a.email, a.role, a.name, a.createdAt.slice(0, 19)].join('\t'));
      return 0;
    case 'revoke': {
      const account = await accounts.byEmail(values.email!);
      if (!account) return noAccount(values.email!);
      const ended = await new AccountSessions(db, { secure: false }).revokeAll(account.id);
      console.log(`signed ${account.email} out of ${ended} session(s)`);
      return 0;
    }
  }
  return 2;
}

function noAccount(email: string): number {
  console.error(`error: there is no account with the email ${email}. Fix: check it with unboxed admin users`);
  return 1;
}

/** The first line of stdin when it is piped; otherwise asked for twice on the terminal without echo. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]!;
  }
  const first = await askHidden(prompt);
  const second = await askHidden('Again: ');
  if (first !== second) throw new z.ZodError([{ code: 'custom', path: ['password'], message: 'the two passwords differ', input: undefined }]);
  return first;
}

function askHidden(prompt: string): Promise<string> {
  process.stdout.write(prompt);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          done();
          process.stdout.write('\n');
          return resolve(typed);
        }
        if (char === '\u0003') {
          done();
          process.stdout.write('\n');
          return reject(new Error('cancelled'));
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}
