import type en from '../en/pool.js';
import type { Translation } from '../types.js';

export default {
  assigned: ':zap: 已从预热池分配一张就绪证书（`{certId}`）；无需等待网关，正在发送配置文件。',
  quotaFull: ':warning: *{gateway}* 上的预热池无法补充（就绪 {ready}/{target}）：账号的 SSL-VPN 客户端证书配额已满（`Resource.QuotaFull`）。在此期间审批将走常规流程。请删除不再使用的证书，或在阿里云配额中心提升配额；一小时内会重试补充。补充成功前只通知一次。',
  deleteFailed: ':rotating_light: 无法删除 *{gateway}* 上未分配的预热池证书 `{certId}`：{reason}。这是一个无人持有的有效凭证：请在阿里云控制台中删除。',
  status: ' · 预热池就绪 {ready}/{target}{filling}{paused}',
  filling: '，{filling} 个补充中',
  paused: '（:warning: 已暂停：配额已满）',
} as const satisfies Translation<typeof en>;
