import { CreateCampaign1764500000000 } from './1764500000000-create-campaign';
import { ClickRetention1796774400000 } from './1796774400000-click-retention';

/** In order. Never edit a migration after it has been merged; add a new one. */
export const migrations = [CreateCampaign1764500000000, ClickRetention1796774400000];
