import type en from '../en/input.js';
import type { Translation } from '../types.js';

export default {
  requestUsage: '`/vpn request [gateway] [duration] <reason…>`，例如 `/vpn request 1d 部署支付系统紧急修复`',
  extendUsage: '`/vpn extend [gateway] [duration]`，例如 `/vpn extend 4h`',
  breakGlassUsage: '`/vpn breakglass [gateway] <reason…>`，例如 `/vpn breakglass frankfurt 支付系统故障，INC-1234`',
  badDuration: '无法识别时长 `{word}`：请使用正整数加单位 m、h、d 或 w（例如 30m、8h、1d、2w）。用法：{usage}',
  tooLong: '访问权限最长可授予 {max}；你申请的是 {asked}。',
  whichGateway: '请指定网关，可选：{gateways}。用法：{usage}',
  noReason: '请说明你需要访问权限的原因。用法：{usage}',
  breakGlassNoReason: '紧急访问必须填写原因；原因会被记录并展示给管理员。用法：{usage}',
  reasonTooLong: '原因请控制在 500 个字符以内。',
} as const satisfies Translation<typeof en>;
