/**
 * What a volunteer may see of a person: 张*三, 138****5678. Masking happens on the server before a roster
 * leaves it, so the full name never reaches a tablet.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(Math.min(chars.length - 2, 3))}${chars[chars.length - 1]}`;
}

/** A phone number as people write it here: digits, an optional leading +. */
export const PHONE_PATTERN = /^\+?\d{6,15}$/;

export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const digits = phone.replace(/\s+/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}
