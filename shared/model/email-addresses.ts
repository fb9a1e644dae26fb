/** Keeping email addresses out of what is recorded: logs, traces and reports (issue 19). */

/**
 * Email addresses in a text, each replaced by `<address>`. SES names addresses in some refusals ("Email
 * address is not verified. The following identities failed the check in region EU-WEST-2: a@b.example").
 */
export function redactEmailAddresses(text: string): string {
  return text.replace(/[^\s@<>()[\]"',;:]+@[^\s@<>()[\]"',;:]+/g, '<address>');
}

/**
 * An error with the email addresses taken out of its message, its stack and its other text fields (SDK
 * errors copy the fields of SES's answer onto themselves): the same object, so its name, `$metadata` and
 * class still tell callers and the SDK's retries what it was.
 */
export function withoutEmailAddresses<T>(error: T): T {
  if (typeof error !== 'object' || error === null) return error;
  const fields = error as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, name);
    // A data property that can be written, or an accessor that can be set (`stack`, in some Node versions).
    if (!descriptor || !(descriptor.writable || descriptor.set)) continue;
    const value = fields[name];
    if (typeof value !== 'string') continue;
    const redacted = redactEmailAddresses(value);
    if (redacted !== value) fields[name] = redacted;
  }
  return error;
}
