/** Whether the runtime knows this IANA zone name (config, reports and SLA calendars all take zone names). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
