import type en from '../en/modals.js';
import type { Translation } from '../types.js';

export default {
  requestTitle: '申请 VPN 访问权限',
  requestSubmit: '提交申请',
  cancel: '取消',
  gateway: '网关',
  duration: '时长（最长 {max}）',
  durationPlaceholder: '例如 8h、1d、1w',
  reason: '申请理由',
  denyTitle: '拒绝 VPN 申请',
  denySubmit: '拒绝',
  denyReason: '拒绝理由（将发送给申请人）',
} as const satisfies Translation<typeof en>;
