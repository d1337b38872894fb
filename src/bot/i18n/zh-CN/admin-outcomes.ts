import type en from '../en/admin-outcomes.js';
import type { Translation } from '../types.js';

export default {
  auditNotUnderstood: '无法识别 `{word}`。用法：`/vpn admin audit [@user] [since]`，其中 `since` 为时长（如 `7d`、`12h`）或日期（如 `2024-05-01`）。',
  auditBadDate: '`{label}` 不是有效日期；请按 `YYYY-MM-DD` 格式填写，例如 `2024-05-01`。',
  auditFutureDate: '`{label}` 是未来的日期，暂时没有可显示的内容。请填写过去的日期，或时长（如 `7d`）。',
  auditBeforeEpoch: '`{label}` 早于 {epoch}，不可能有更早的审计记录。请使用更短的时长（最多 `{maxWeeks}w`），或 {epoch} 及之后的日期。',
  casDirectoryFailed: '无法在 Slack 中查询该用户（`users.info`），因此未检查其私有 CA 证书',
  casNoIdentity: 'Slack 未提供该用户的邮箱或用户名，因此无法匹配其私有 CA 证书',
  casListFailed: '无法列出私有 CA 证书：{failure}',
  sslServerMissing: '在该网关上找不到 SSL 服务端 `{sslVpnServerId}`：请修正 `gateways[].sslVpnServerId`',
  csvUploadFailed: '无法将 CSV 文件上传到你的私信，请一分钟后重试',
  auditExport: { other: ':page_facing_up: VPN 审计日志{scope}，自 {since} 起：共 {count} 条，按时间从早到晚排列。' },
  auditExportScope: '（<@{userId}>）',
} as const satisfies Translation<typeof en>;
