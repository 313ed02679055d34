import { CreateAccounts1764400100000 } from './1764400100000-create-accounts';

export const migrations = [CreateAccounts1764400100000];
