import { randomInt } from 'node:crypto';

/**
 * Join codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about
 * 40 bits, shown as XXXX-XXXX. Learners may type them in any case, with or without the
 * dash or spaces.
 */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 8;

export function newJoinCode(): string {
  return Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** The stored form of what a learner typed, or undefined when it cannot be a code. */
export function normalizeJoinCode(input: string): string | undefined {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : undefined;
}

export function formatJoinCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
