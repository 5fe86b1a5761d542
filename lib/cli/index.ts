import { runSandboxCli } from '../../sandbox/cli.ts';
import type { Config } from '../config.ts';
import { runAdminCli } from './admin.ts';
import { runContentCli } from './content.ts';

const usage = `usage: unboxed <command>

  content check        validate every lesson under content/ (as npm run build does)
  content schema       print the JSON Schema of lesson frontmatter, for editors
  content test [LESSON…] [--driver docker|qemu]
                       prove lessons on fresh machines: checks fail untouched, pass after
                       solution.sh, fail after each wrong case
  sandbox …            learner machines: ls, create, exec, rm, gc, image build
  admin …              accounts: create an admin, set roles, list, sign out everywhere`;

/** The operator's command line, with the environment validated by the caller; returns the process exit code. */
export async function runCli(argv: readonly string[], config: Config): Promise<number> {
  const [group, ...rest] = argv;
  switch (group) {
    case 'content':
      return runContentCli(rest, config.contentDir, config.sandbox, config.dataDir);
    case 'sandbox':
      return runSandboxCli(rest, config.sandbox, config.dataDir, config.env.HOST);
    case 'admin':
      return runAdminCli(rest, config.dataDir, config.env.DATABASE_URL);
    case undefined:
    case 'help':
    case '--help':
      console.log(usage);
      return group === undefined ? 2 : 0;
    default:
      console.error(`unknown command '${group}'\n\n${usage}`);
      return 2;
  }
}
