import 'reflect-metadata';
import { openDatabase } from '@snaptrack/util-db';
import { loadConfig } from '@snaptrack/util-config';
import { gatewayKeys } from './config';
import { createGatewayDataSource } from './data-source';
import { AccountService } from './account/account.service';

/**
 * Account administration from the command line:
 *   node apps/gateway/dist/cli.js create-account "<name>"   → prints the account id and its first API key (shown once)
 *   node apps/gateway/dist/cli.js issue-key <accountId> [name]
 *   node apps/gateway/dist/cli.js revoke-key <accountId> <keyId>
 */
async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  const { databaseUrl } = loadConfig({ databaseUrl: gatewayKeys.databaseUrl });
  const ds = await openDatabase(createGatewayDataSource(databaseUrl));
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
