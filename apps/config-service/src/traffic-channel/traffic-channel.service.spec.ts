import { integrationStatusOf } from './traffic-channel.service';

describe('integrationStatusOf', () => {
  it.each([
    ['snapchat', null, 'NOT_CONFIGURED'],
    ['snapchat', { tokenCiphertext: null, testMode: false }, 'NOT_CONFIGURED'],
    ['snapchat', { tokenCiphertext: 'c', testMode: false }, 'READY'],
    ['snapchat', { tokenCiphertext: 'c', testMode: true }, 'TEST_MODE'],
    ['custom', null, 'NOT_APPLICABLE'],
    ['gone-template', { tokenCiphertext: 'c', testMode: false }, 'NOT_APPLICABLE'],
  ] as const)('%s with pixel %j is %s', (template, pixel, status) => {
    expect(integrationStatusOf(template, pixel)).toBe(status);
  });
});
