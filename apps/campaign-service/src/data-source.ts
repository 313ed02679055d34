import 'reflect-metadata';
import { createDataSource } from '@snaptrack/util-db';
import { Campaign } from './campaign/campaign.entity';
import { CampaignClickCount, Click } from './click/click.entity';
import { migrations } from './migrations';

export const entities = [Campaign, Click, CampaignClickCount];

export function createCampaignDataSource(url: string) {
  return createDataSource({ url, entities, migrations, applicationName: 'campaign-service' });
}
