import type en from '../en/audit.js';
import type { Translation } from '../types.js';

export default {
  witnessed: '（见证于 {at}）。如果之后的 `/vpn admin audit verify` 结果与此不符，说明 Redis 中的日志已被篡改。',
  notIntact: ':rotating_light: *审计日志不完整*：{detail}。已检查至此处的 {count} 条记录。',
  head: '日志头 #{seq} {hash}',
  noEntries: '暂无记录',
  keyed: '使用 `VPN_BOT_AUDIT_KEY` 的 HMAC-SHA-256',
  unkeyed: ':warning: 无密钥的 SHA-256（请设置 `VPN_BOT_AUDIT_KEY`：否则任何能写入 Redis 的人都可以改写日志而不被发现）',
  witnessMatches: '与 Slack 中见证的最近 {count} 个日志头一致（最新为 #{seq}）',
  noWitness: '审计频道中尚未找到见证的日志头',
  unkeyedEntries: '前 {count} 条记录写于设置密钥之前。',
  intact: ':white_check_mark: *审计日志完整*（{count} 条记录，{head}）；链：{key}；{witness}。{unkeyed}',
  witnessesUnreadable: ':warning: 无法从审计频道读取见证的日志头（Slack 没有响应）；仅检查了日志链本身。',
  leaverSweep: '定期检查 Slack 账号时发现',
  leaverEvent: 'Slack 发来了 `user_change` 事件',
  leaverAlert: ':wave: *<@{userId}> 的 Slack 账号已停用*（{how}）；已自动办理离职回收：',
} as const satisfies Translation<typeof en>;
