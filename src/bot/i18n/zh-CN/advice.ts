import type en from '../en/advice.js';
import type { Translation } from '../types.js';

export default {
  'ram-policy': '机器人使用的阿里云 RAM 身份无权执行此操作：请为其授予 `deploy/ram-policy.json` 中的权限策略。',
  'access-key': '阿里云 AccessKey 错误或已被禁用：请检查 `ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET`。',
  'cert-quota': 'SSL-VPN 客户端证书配额已用完：请删除不再使用的证书，或在阿里云配额中心提升配额。',
  'account-arrears': '阿里云账号已欠费，网关已被锁定：请结清欠款。',
  'ssl-server-id': '机器人配置中的 `sslVpnServerId` 在该网关上不存在：请修正 `gateways[].sslVpnServerId`。',
  'gateway-id': '机器人配置中的 `vpnGatewayId` 不存在：请修正 `gateways[].vpnGatewayId`。',
  'region-id': '机器人配置中的 `regionId` 有误：请修正 `gateways[].regionId`。',
  'cert-name': '证书名称被阿里云拒绝：请将此问题报告给机器人的维护人员。',
} as const satisfies Translation<typeof en>;
