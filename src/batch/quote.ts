/**
 * Bits of an input quoted in a message: short and printable, so a binary file or a huge field
 * never pours raw bytes into a terminal or a results file.
 */

/** At most `max` bytes, quoted: printable ASCII as it is, anything else as \xNN. */
export function excerpt(bytes: Uint8Array, max = 16): string {
  let text = '';
  for (const b of bytes.subarray(0, max)) text += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return `"${text}"${bytes.length > max ? '...' : ''}`;
}

/** A name or value for a message: JSON-quoted (control characters escaped), at most 40 characters. */
export function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}
