import 'reflect-metadata';
import { openDatabase } from '@snaptrack/util-db';
import { loadConfig } from '@snaptrack/util-config';
import { accountServiceKeys } from './config';
import { createAccountDataSource } from './data-source';
import { AccountService } from './account/account.service';

/**
 * Account administration from the command line (DATABASE_URL: the account database):
 *   node apps/account-service/dist/cli.js create-account "<name>"  → the account id and its first key (shown once)
 *   node apps/account-service/dist/cli.js issue-key <accountId> [name]
 *   node apps/account-service/dist/cli.js revoke-key <accountId> <keyId>
 * A revoked key stops working at the gateway within its key cache TTL (API_KEY_CACHE_TTL_MS, 30 s by default).
 */
async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  const { databaseUrl } = loadConfig({ databaseUrl: accountServiceKeys.databaseUrl });
  const ds = await openDatabase(createAccountDataSource(databaseUrl));
  const accounts = new AccountService(ds);
  try {
    switch (cmd) {
      case 'create-account': {
        const { account, key } = await accounts.createAccount(args[0] ?? 'Default account');
        process.stdout.write(JSON.stringify({ account_id: account.id, api_key: key.apiKey }) + '\n');
        break;
      }
      case 'issue-key': {
        const key = await accounts.issue(args[0], args[1]);
        process.stdout.write(JSON.stringify({ account_id: key.accountId, api_key: key.apiKey }) + '\n');
        break;
      }
      case 'revoke-key':
        process.stdout.write(JSON.stringify({ revoked: await accounts.revoke(args[0], args[1]) }) + '\n');
        break;
      default:
        process.stderr.write(
          'usage: cli.js create-account <name> | issue-key <accountId> [name] | revoke-key <accountId> <keyId>\n',
        );
        process.exitCode = 2;
    }
  } finally {
    await ds.destroy();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
