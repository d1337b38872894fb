import type en from '../en/server-change.js';
import type { Translation } from '../types.js';

export default {
  pending: ':large_yellow_circle: 等待另一位管理员审批（不能是 <@{proposedBy}>）',
  approved: ':gear: 已由 <@{decidedBy}> 批准；正在应用',
  withdrawn: ':heavy_minus_sign: 已被 <@{decidedBy}> 撤回',
  rejected: ':no_entry_sign: 已被 <@{decidedBy}> 拒绝',
  applied: ':white_check_mark: 已由 <@{decidedBy}> 批准；于 {at} 生效{requestId}',
  requestId: '（RequestId {cloudRequestId}）',
  failed: ':x: 已由 <@{decidedBy}> 批准；执行失败：{failure}',
  seeTheThread: '详见消息串',
  disruption: ':warning: 除名称外的任何更改都会使网关短暂不可用（`updating`），并断开该 SSL 服务端的所有客户端；客户端需要重新连接（如更改了端口、协议、加密算法或压缩设置，还需下载新的配置文件）。',
  cardText: '<@{proposedBy}> 提议变更 {gateway} 的 SSL-VPN 服务端',
  cardTitle: '*SSL-VPN 服务端变更* `{id}`，网关 *{gateway}*（`{sslVpnServerId}`）\n由 <@{proposedBy}> 于 {at} 提议',
  nameOnly: ':information_source: 仅更改名称：立即生效，不会中断连接。',
  approve: '批准',
  reject: '拒绝',
} as const satisfies Translation<typeof en>;
