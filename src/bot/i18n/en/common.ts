// Words shared by every area: dates, lists, the generic answers of listeners.
export default {
  unknownDate: 'unknown',
  dateTime: '{date} {time} ({zone})',
  listSeparator: ', ',
} as const;
