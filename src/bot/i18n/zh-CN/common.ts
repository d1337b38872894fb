import type en from '../en/common.js';
import type { Translation } from '../types.js';

export default {
  unknownDate: '未知',
  dateTime: '{date} {time}（{zone}）',
  listSeparator: '、',
} as const satisfies Translation<typeof en>;
