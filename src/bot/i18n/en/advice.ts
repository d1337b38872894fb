// What a human should do about a permanent Alibaba Cloud error, by advice key (src/api/errors.ts AdviceKey).
export default {
  'ram-policy': 'The bot\'s Alibaba Cloud RAM identity is not allowed to do this: attach the policy in deploy/ram-policy.json to it.',
  'access-key': 'The Alibaba Cloud access key is wrong or disabled: check ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET.',
  'cert-quota': 'The SSL-VPN client certificate quota is used up: remove unused certificates or raise the quota in Alibaba Cloud Quota Center.',
  'account-arrears': 'The Alibaba Cloud account is in arrears and the gateway is locked: settle the overdue payment.',
  'ssl-server-id': 'The sslVpnServerId in the bot\'s config does not exist on that gateway: fix gateways[].sslVpnServerId.',
  'gateway-id': 'The vpnGatewayId in the bot\'s config does not exist: fix gateways[].vpnGatewayId.',
  'region-id': 'The regionId in the bot\'s config is wrong: fix gateways[].regionId.',
  'cert-name': 'The certificate name was refused by Alibaba Cloud: report this to the bot\'s maintainers.',
} as const;
