/** Built-in traffic channel templates ("New from template"). */
export interface TemplateParameter {
  name: string;
  value: string;
  description: string;
}
export interface TrafficChannelTemplateDef {
  key: string;
  name: string;
  /** The landing-URL parameter the network appends with its own click id. */
  clickIdParam: string | null;
  parameters: TemplateParameter[];
  /** Whether the template has a Conversions API data source (pixel + token). */
  supportsCapi: boolean;
}

export const TEMPLATES: TrafficChannelTemplateDef[] = [
  {
    key: 'snapchat',
    name: 'Snapchat',
    clickIdParam: 'ScCid',
    supportsCapi: true,
    parameters: [
      { name: 'sub1', value: '{{campaign.id}}', description: 'Snapchat campaign id' },
      { name: 'sub2', value: '{{campaign.name}}', description: 'Snapchat campaign name' },
      { name: 'sub3', value: '{{adSet.id}}', description: 'Ad set id' },
      { name: 'sub4', value: '{{adSet.name}}', description: 'Ad set name' },
      { name: 'sub5', value: '{{ad.id}}', description: 'Ad id' },
      { name: 'sub6', value: '{{creative.name}}', description: 'Creative name' },
    ],
  },
  { key: 'custom', name: 'Custom', clickIdParam: null, supportsCapi: false, parameters: [] },
];

export function findTemplate(key: string): TrafficChannelTemplateDef | undefined {
  return TEMPLATES.find((t) => t.key === key);
}
