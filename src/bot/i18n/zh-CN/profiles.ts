import type en from '../en/profiles.js';
import type { Translation } from '../types.js';

export default {
  working: ':hourglass_flowing_sand: 正在从网关获取你的配置文件…',
  resent: ':key: 你访问 *{gateway}* 的配置文件已重新发送到我们的私信中。该文件将于 {removeAt} 从 Slack 删除。',
  resendButton: '重新发送配置文件',
} as const satisfies Translation<typeof en>;
